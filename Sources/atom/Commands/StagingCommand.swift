import ArgumentParser
import Foundation
import PublishingCore

struct StagingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staging", abstract: "The S3 staging area: put a file, list or clean leftovers.",
        subcommands: [Put.self, List.self, Clean.self]
    )

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stage a file and print a URL valid for --ttl seconds.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file to stage.") var file: String
        @Option(help: "Seconds the URL stays valid (default ATOM_S3_URL_TTL or 3600; max 604800).") var ttl: Int?
        func run() async throws {
            Console.error("atom: error: S3 staging is not available in this build yet")
            throw Exit.configuration
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List objects and unfinished uploads atom left under its prefix.")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            Console.error("atom: error: S3 staging is not available in this build yet")
            throw Exit.configuration
        }
    }

    struct Clean: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete objects and abort unfinished uploads atom left under its prefix.")
        @OptionGroup var global: GlobalOptions
        func run() async throws {
            Console.error("atom: error: S3 staging is not available in this build yet")
            throw Exit.configuration
        }
    }
}
