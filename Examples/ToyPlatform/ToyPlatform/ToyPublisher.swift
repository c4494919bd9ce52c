import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// A toy fifth platform, here to prove that a platform is one module: a push upload (`POST /videos` with the file
/// as the body) and a status poll (`GET /videos/{id}` until `ready`). It exists only in builds that list its plug-in.
struct ToyPublisher: Publisher {
    static let platformID = PlatformID("toy")
    /// The API root (`ATOM_TOY_API_BASE`; the sandbox points it at the loopback fake).
    let base: URL
    /// The bearer token (`TOY_TOKEN`).
    let token: String
    let transport: any HTTPTransport

    var platform: PlatformID { Self.platformID }

    var capabilities: PublisherCapabilities {
        PublisherCapabilities(
            displayName: "Toy", mediaLimits: MediaLimits(maxFileSize: 1 << 30, maxDuration: 600),
            textLimits: [.caption: TextLimit(maxLength: 500)], requiredCredentials: ["TOY_TOKEN"])
    }

    func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan {
        PostPlan(texts: [.caption: draft.caption ?? ""])
    }

    func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        if let id = job.checkpoint?.toyVideoID { return try await poll(id, context: context) }
        guard let file = job.file else {
            throw PublishError(.invalidInput, platform: platform, message: "the toy platform needs the video file")
        }
        var request = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/videos")
        request.headerFields[.contentType] = job.media.mimeType
        let body = file.chunks(in: 0..<file.size).body()
        let answer = try await send(request, body: body, operation: "upload")
        guard case .string(let id)? = answer["id"] else {
            throw PublishError(.protocolViolation, platform: platform, message: "the upload answer has no id")
        }
        try await context.journal.save(JSONValue.object(["videoID": .string(id)]))
        return try await poll(id, context: context)
    }

    func status(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt {
        guard let id = job.checkpoint?.toyVideoID else { return try await publish(job, context: context) }
        return try await poll(id, context: context)
    }

    /// Polls until the video is ready or the wait runs out.
    private func poll(_ id: String, context: PublishContext) async throws -> PublishReceipt {
        let checkpoint = JSONValue.object(["videoID": .string(id)])
        let deadline = ContinuousClock.now.advanced(by: context.waitLimit)
        while true {
            let request = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/videos/\(id)")
            let answer = try await send(request, body: nil, operation: "status")
            if answer["status"] == .string("ready") {
                return PublishReceipt(status: .published, postID: id, url: nil, checkpoint: checkpoint)
            }
            guard ContinuousClock.now < deadline else {
                return PublishReceipt(status: .processing, postID: id, url: nil, checkpoint: checkpoint)
            }
            try await context.clock.sleep(for: .milliseconds(100))
        }
    }

    /// Sends one request with the token and decodes the JSON object it answers.
    private func send(_ request: HTTPRequest, body: HTTPBody?, operation: String) async throws -> [String: JSONValue] {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        let (response, responseBody) = try await transport.send(request, body: body, baseURL: base, operationID: operation)
        var data = Data()
        if let responseBody { data = try await Data(collecting: responseBody, upTo: 1 << 20) }
        guard (200..<300).contains(response.status.code) else {
            throw PublishError(
                response.status.code == 401 ? .authentication : .server, platform: platform, operationID: operation,
                httpStatus: response.status.code, message: "the toy platform answered \(response.status.code)")
        }
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            throw PublishError(.protocolViolation, platform: platform, operationID: operation, message: "not a JSON object")
        }
        return object
    }
}

extension JSONValue {
    /// The video id a toy checkpoint holds.
    fileprivate var toyVideoID: String? {
        guard case .object(let object) = self, case .string(let id)? = object["videoID"] else { return nil }
        return id
    }
}

extension PublisherFactory {
    /// The toy platform: `TOY_TOKEN` required, `ATOM_TOY_API_BASE` optional.
    static func toy() -> PublisherFactory {
        PublisherFactory(
            platform: ToyPublisher.platformID, displayName: "Toy", requiredKeys: ["TOY_TOKEN"],
            optionalKeys: ["ATOM_TOY_API_BASE"]
        ) { environment in
            let token = try environment.credentials.required("TOY_TOKEN", platform: ToyPublisher.platformID)
            let base = try environment.credentials.nonEmpty("ATOM_TOY_API_BASE").flatMap(URL.init(string:))
                ?? URL(string: "https://toy.invalid")!
            return ToyPublisher(base: base, token: token, transport: environment.transport)
        }
    }
}
