import ArgumentParser
import Foundation

#if os(Linux)
/// glibc's `mallopt` (malloc.h is not part of the Glibc module map).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

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
            PostCommand.self, ValidateCommand.self, HistoryCommand.self, StatusCommand.self, AuthCommand.self, ScheduleCommand.self,
            PlatformsCommand.self, StagingCommand.self, SandboxCommand.self, DigestCommand.self,
        ]
    )

    /// Caps glibc's malloc arenas: atom's chunk buffers are allocated and freed on many threads (NIO's
    /// event loops, its blocking pool, the cooperative pool), and one arena per thread would keep freed
    /// chunks as resident memory. Two arenas keep peak RSS flat without the page-fault cost of mmap-per-chunk.
    static func main() async {
        #if os(Linux)
        _ = glibcMallopt(-8 /* M_ARENA_MAX, malloc.h */, 2)
        #endif
        await Self.main(nil)
    }
}
