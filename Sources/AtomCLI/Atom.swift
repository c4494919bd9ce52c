import ArgumentParser
import Foundation
import PlatformKit

#if os(Linux)
/// glibc's `mallopt` (malloc.h is not part of the Glibc module map).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// atom's command line, as a library: a composition root hands it the platforms and starts it.
public enum AtomCommandLine {
    /// Runs `atom` with these platforms (in the order `atom platforms` lists them) and exits.
    /// - Parameters:
    ///   - plugins: The platforms this build registers.
    ///   - environment: The process environment (only the composition root reads it).
    public static func main(plugins: [PlatformPlugin], environment: [String: String]) async {
        Launch.environment = environment
        Registry.install(plugins)
        await Atom.main()
    }
}

/// atom: publish one video to every registered platform at once.
struct Atom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atom",
        abstract: "Publish one video to \(Registry.spelled(Registry.plugins.map(\.displayName), conjunction: "and")) at once, through their official APIs.",
        discussion: """
            Tokens live in a local .env file: --env-file, else ATOM_ENV_FILE, else ./.env, else \
            $XDG_CONFIG_HOME/atom/.env (default ~/.config/atom/.env). Results go to a local record in \
            ATOM_STATE_DIR (default $XDG_STATE_HOME/atom, or an existing ~/.atom). Results print on stdout, progress \
            on stderr; --json everywhere. Try it with no accounts: atom post Fixtures/vertical.mp4 --sandbox --to all
            Shell completions: atom --generate-completion-script bash|zsh|fish (docs/cli.md says where to put them).
            """,
        version: "0.1.0",
        subcommands: [
            PostCommand.self, ValidateCommand.self, HistoryCommand.self, StatusCommand.self, AuthCommand.self, ScheduleCommand.self,
            PlatformsCommand.self, StagingCommand.self, SandboxCommand.self, DigestCommand.self,
            UnpublishCommand.self, DoctorCommand.self,
        ]
    )

    /// Caps glibc's malloc arenas: atom's chunk buffers are allocated and freed on many threads (NIO's
    /// event loops, its blocking pool, the cooperative pool), and one arena per thread would keep freed
    /// chunks as resident memory. Two arenas keep peak RSS flat without the page-fault cost of mmap-per-chunk.
    static func main() async {
        #if os(Linux)
        _ = glibcMallopt(-8 /* M_ARENA_MAX, malloc.h */, 2)
        #endif
        let arguments = Array(CommandLine.arguments.dropFirst())
        let json = arguments.contains("--json")
        if let unknown = unknownCommand(arguments) {
            let code = Failure.report(unknown, json: json)
            Self.exit(withError: code)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            // Usage errors answer in JSON too when --json was asked for.
            if json, !(error is ExitCode), !(error is CleanExit) {
                let code = exitCode(for: error)
                if code != .success {
                    let message = Self.message(for: error)
                    _ = Failure.report(ValidationError(message), json: true)
                    Self.exit(withError: ExitCode(code.rawValue))
                }
            }
            Self.exit(withError: error)
        }
    }

    /// `atom pots`: a first word that is no command is a usage error (64) with "did you mean 'post'?".
    static func unknownCommand(_ arguments: [String]) -> ValidationError? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(first) else { return nil }
        let guess = Suggestion.closest(to: first.lowercased(), in: names).map { "; did you mean '\($0)'?" } ?? ""
        return ValidationError("unknown command '\(first)'\(guess) (commands: \(names.dropLast().joined(separator: ", ")))")
    }
}
