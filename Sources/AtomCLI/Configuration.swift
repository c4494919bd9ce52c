import Foundation
import PublishingCore

/// Which `.env` file and which state folder atom uses, and why — found the same way from any directory.
///
/// The `.env` file: `--env-file`, then `ATOM_ENV_FILE`, then `./.env` if it exists, then
/// `$XDG_CONFIG_HOME/atom/.env` (default `~/.config/atom/.env`), which `atom auth` creates when nothing
/// else exists. An explicit file (flag or `ATOM_ENV_FILE`) that does not exist is a configuration error.
///
/// The state folder (the record): `ATOM_STATE_DIR` from the environment, then from the `.env` file, then an
/// existing `~/.atom` (read in place), then `$XDG_STATE_HOME/atom` (default `~/.local/state/atom`).
/// This follows the XDG Base Directory Specification
/// (https://specifications.freedesktop.org/basedir-spec/latest/).
struct ConfigurationPaths: Sendable, Equatable {
    /// The `.env` file in use (it may not exist yet: the XDG default).
    var envFile: String
    /// Where the `.env` path came from: `--env-file`, `ATOM_ENV_FILE`, `./.env` or `XDG_CONFIG_HOME`.
    var envFileSource: String
    /// The state folder (the record).
    var stateDirectory: String
    /// Where the state folder came from.
    var stateDirectorySource: String

    /// Finds the `.env` file.
    /// - Parameters:
    ///   - explicit: The `--env-file` flag, if given.
    ///   - environment: The process environment.
    ///   - currentDirectory: The working directory.
    ///   - exists: Whether a file exists (injected for tests).
    /// - Throws: A `configuration` ``PublishError`` when an explicit file does not exist.
    ///   - creating: The command creates the file (`atom auth`): a missing explicit file is not an error.
    static func envFile(
        explicit: String?, environment: [String: String], currentDirectory: String, creating: Bool = false,
        exists: (String) -> Bool
    ) throws -> (path: String, source: String) {
        for (value, source) in [(explicit, "--env-file"), (environment["ATOM_ENV_FILE"], "ATOM_ENV_FILE")] {
            guard let value, !value.isEmpty else { continue }
            let path = absolute(expandingTilde(value, environment: environment), in: currentDirectory)
            guard exists(path) || creating else {
                throw PublishError(
                    .configuration, message: "the .env file \(path) (from \(source)) does not exist",
                    remediation: "check the path, or drop \(source) to use ./.env or \(xdgEnvFile(environment))")
            }
            return (path, source)
        }
        let local = absolute(".env", in: currentDirectory)
        if exists(local) { return (local, "./.env") }
        return (xdgEnvFile(environment), "XDG_CONFIG_HOME")
    }

    /// `$XDG_CONFIG_HOME/atom/.env`, default `~/.config/atom/.env`.
    static func xdgEnvFile(_ environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home(environment) + "/.config"
        return base + "/atom/.env"
    }

    /// Finds the state folder.
    /// - Parameters:
    ///   - environment: The process environment.
    ///   - dotEnv: The values of the `.env` file in use.
    ///   - exists: Whether a folder exists (injected for tests).
    static func stateDirectory(
        environment: [String: String], dotEnv: [String: String], exists: (String) -> Bool
    ) -> (path: String, source: String) {
        if let dir = environment["ATOM_STATE_DIR"], !dir.isEmpty {
            return (expandingTilde(dir, environment: environment), "ATOM_STATE_DIR")
        }
        if let dir = dotEnv["ATOM_STATE_DIR"], !dir.isEmpty {
            return (expandingTilde(dir, environment: environment), "ATOM_STATE_DIR in the .env file")
        }
        let legacy = home(environment) + "/.atom"
        if exists(legacy) { return (legacy, "~/.atom (existing)") }
        let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home(environment) + "/.local/state"
        return (base + "/atom", "XDG_STATE_HOME")
    }

    /// Resolves both, reading the `.env` file once; returns it with the paths.
    static func load(
        explicit: String?, environment: [String: String], creating: Bool = false
    ) throws -> (ConfigurationPaths, DotEnvFile) {
        let manager = FileManager.default
        let env = try envFile(
            explicit: explicit, environment: environment, currentDirectory: manager.currentDirectoryPath, creating: creating,
            exists: { manager.fileExists(atPath: $0) })
        let dotEnv = try DotEnvFile(path: env.path)
        let state = stateDirectory(environment: environment, dotEnv: dotEnv.values, exists: { manager.fileExists(atPath: $0) })
        let paths = ConfigurationPaths(
            envFile: env.path, envFileSource: env.source, stateDirectory: state.path, stateDirectorySource: state.source)
        return (paths, dotEnv)
    }

    /// Creates the `.env` file's folder (mode 0700) if it is missing, so `atom auth` can write the file.
    func createEnvFileFolder() throws {
        let folder = (envFile as NSString).deletingLastPathComponent
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PublishError(
                .configuration, message: "cannot create \(folder) for the .env file: \(error.localizedDescription)",
                remediation: "create it yourself, or pass --env-file")
        }
    }

    private static func home(_ environment: [String: String]) -> String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    private static func expandingTilde(_ path: String, environment: [String: String]) -> String {
        path == "~" || path.hasPrefix("~/") ? home(environment) + path.dropFirst() : path
    }

    private static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }
}
