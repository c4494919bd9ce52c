import ArgumentParser
import Foundation
import PublishingCore
import PublishingEngine

/// `atom unpublish <record-id> --platform P`: delete a published post where the platform's API allows it.
struct UnpublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpublish",
        abstract: "Delete a post from the platform where its API allows it, and mark the record entry deleted.",
        discussion: """
            Where the platform's API can delete a post atom deletes it; where it cannot, atom says how to delete it in \
            the platform's app. The record keeps the entry with status \
            `deleted` and a timestamp (`atom history forget` removes it).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The record id (from `atom post` or `atom history`); a unique prefix is enough.")
    var recordID: String

    @Option(help: "The entry's platform (a guard against deleting the wrong post).")
    var platform: String

    @Flag(help: "Do not ask for confirmation (for scripts).")
    var yes = false

    @Flag(help: "The entry was posted to the sandbox: delete it from a fresh sandbox.")
    var sandbox = false

    func validate() throws {
        try OwnerControl.validate(platform: platform)
    }

    func run() async throws {
        let (recordID, platform, yes, json, sandbox) = (recordID, platform.lowercased(), yes, global.json, sandbox)
        throw try await OwnerControl.run(global, sandbox: sandbox) { app in
            // Looked up in both records; the entry is deleted only from the environment whose record holds it.
            guard let found = try await app.book.entry(recordID) else {
                throw PublishError(
                    .invalidInput, message: "no record entry '\(recordID)'", remediation: "see `atom history` for ids")
            }
            let entry = found.record
            guard entry.platform.rawValue == platform else {
                throw ValidationError("entry \(entry.id) is a \(entry.platform) post, not \(platform)")
            }
            guard found.sandbox == app.recordsAsSandbox else {
                throw ValidationError(
                    found.sandbox
                        ? "entry \(entry.id) was posted to the sandbox: add --sandbox"
                        : "entry \(entry.id) was posted to the real \(platform): drop --sandbox")
            }
            guard let postID = entry.postId, [.published, .processing].contains(entry.status) else {
                throw PublishError(
                    .invalidInput, platform: entry.platform,
                    message: "entry \(entry.id) is \(entry.status) with no post on \(platform) to delete")
            }
            guard let factory = OwnerControl.account(named: platform) else { return Exit.usage }
            let missing = factory.missingKeys(in: app.credentials)
            guard missing.isEmpty else {
                throw PublishError(
                    .configuration, platform: entry.platform, message: "missing \(missing.joined(separator: ", "))",
                    remediation: "run `atom auth \(platform)`")
            }
            let where_ = entry.url ?? postID
            guard
                try await OwnerControl.confirm(
                    "Delete \(factory.displayName) post \(where_)? This cannot be undone.", yes: yes)
            else {
                Console.info("not deleted")
                return Exit.ok
            }
            let outcome = try await factory.make(app.publisherEnvironment).deletePost(id: postID)
            var status = "deleted"
            var manual: String?
            switch outcome {
            case .deleted, .alreadyGone:
                let time = Date()
                let id = entry.id
                try await app.records.updateAsync { file in
                    guard let i = file.entries.firstIndex(where: { $0.id == id }) else { return }
                    file.entries[i].status = .deleted
                    file.entries[i].deletedAt = time
                    file.entries[i].updatedAt = time
                    file.entries[i].checkpoint = nil
                }
                if outcome == .alreadyGone { status = "alreadyGone" }
                Console.info(
                    outcome == .alreadyGone
                        ? "\(platform): the post was already gone; the record now says deleted"
                        : "\(platform): deleted \(where_); the record now says deleted")
            case .manual(let text):
                status = "manual"
                manual = text
                Console.error("atom: \(platform): atom cannot delete this post — \(text)")
            }
            if json {
                try Output.json(
                    JSONValue.object([
                        "schemaVersion": .number(Double(OwnerControl.schemaVersion)), "id": .string(entry.id),
                        "platform": .string(platform), "postId": .string(postID), "status": .string(status),
                        "manual": OwnerControl.json(manual), "error": .null,
                    ]))
            } else {
                Console.out("\(platform) \(status) \(where_)")
            }
            return manual == nil ? Exit.ok : Exit.platformFailed
        }
    }
}
