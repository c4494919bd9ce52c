import ArgumentParser
import Foundation
import PublishingCore

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "auth", abstract: "OAuth login for a platform; writes the tokens to the .env file.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "tiktok, instagram, youtube or facebook.")
    var platform: String

    @Flag(name: .customLong("no-browser"), help: "Print the URL and read the redirect URL (or code) from stdin.")
    var noBrowser = false

    @Option(help: "The loopback port for the redirect (default: a free one).")
    var port: Int?

    @Option(name: .customLong("redirect-uri"), help: "A registered redirect URI to use instead of the loopback one.")
    var redirectURI: String?

    func run() async throws {
        Console.error("atom: error: `atom auth` is not available in this build yet; add the platform's tokens to \(global.envFile) by hand (see README)")
        throw Exit.configuration
    }
}
