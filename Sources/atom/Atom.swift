import ArgumentParser
import Foundation

/// atom: publish one video to TikTok, Instagram, YouTube and Facebook at once.
@main
struct Atom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atom",
        abstract: "Publish one video to TikTok, Instagram, YouTube and Facebook at once, through their official APIs.",
        discussion: """
            Tokens live in a local .env file (--env-file, default ./.env); results in a local record under \
            ATOM_STATE_DIR (default ~/.atom). Try it with no accounts: atom post Fixtures/vertical.mp4 --sandbox \
            --to tiktok,instagram,youtube,facebook
            """,
        version: "0.1.0",
        subcommands: [
            PostCommand.self, ValidateCommand.self, HistoryCommand.self, StatusCommand.self, AuthCommand.self,
            PlatformsCommand.self, StagingCommand.self, SandboxCommand.self, DigestCommand.self,
        ]
    )
}
