import ArgumentParser
import PlatformKit
import PublishingCore

/// The flags plug-ins declare (post shorthands, login variants). Each is declared to the parser under its own name
/// (`--tiktok-draft`), so `--help` and the completion scripts list it; the generic `--platform-flag NAME` and
/// `--login-variant NAME` take the same names.
enum PluginFlags {
    /// The generic option post shorthands also go by.
    static let postOption = "platform-flag"
    /// The generic option login variants also go by.
    static let loginOption = "login-variant"

    /// Every post shorthand, with the platform that declares it.
    static var postShorthands: [(platform: String, shorthand: PostShorthand)] {
        Registry.plugins.flatMap { plugin in plugin.postShorthands.map { (plugin.name, $0) } }
    }

    /// Every login variant, with the platform that declares it.
    static var loginVariants: [(platform: String, variant: LoginVariant)] {
        Registry.plugins.flatMap { plugin in plugin.loginVariants.map { (plugin.name, $0) } }
    }

    /// Help for `--platform-flag` (hidden when no plug-in declares a shorthand).
    static var postHelp: ArgumentHelp {
        generic("A platform's shorthand flag by name", PostShorthandFlag.allCases)
    }

    /// Help for `--login-variant` (hidden when no plug-in declares a variant).
    static var loginHelp: ArgumentHelp {
        generic("Another way to log in, by name", LoginVariantFlag.allCases)
    }

    private static func generic<Flag: DeclaredPluginFlag>(_ what: String, _ flags: [Flag]) -> ArgumentHelp {
        let names = flags.map(\.name)
        return ArgumentHelp(
            "\(what) (the same as --NAME): \(names.joined(separator: ", ")).", valueName: "name",
            visibility: names.isEmpty ? .private : .default)
    }

    /// The options the shorthands set for `platform`.
    static func postOptions(_ flags: [String], for platform: String) throws -> [String: JSONValue] {
        var options: [String: JSONValue] = [:]
        for flag in flags {
            guard let found = postShorthands.first(where: { $0.shorthand.flag.name == flag }) else {
                throw ValidationError("unknown platform flag '\(flag)'")
            }
            if found.platform == platform { options.merge(found.shorthand.options) { _, new in new } }
        }
        return options
    }
}

/// A kind of plug-in flag, as an `EnumerableFlag` whose cases are the flags the registered plug-ins declare.
protocol DeclaredPluginFlag: EnumerableFlag {
    /// The flags of this kind, each with one line of help.
    static var declared: [(name: String, help: String)] { get }
    /// The flag's name, without the leading dashes.
    var name: String { get }
    init(name: String)
}

extension DeclaredPluginFlag {
    static var allCases: [Self] { declared.map { Self(name: $0.name) } }
    static func name(for value: Self) -> NameSpecification { .customLong(value.name) }
    static func help(for value: Self) -> ArgumentHelp? {
        declared.first { $0.name == value.name }.map { ArgumentHelp($0.help) }
    }
}

/// `--tiktok-draft` and the other post shorthands of `atom post` and `atom validate`.
struct PostShorthandFlag: DeclaredPluginFlag {
    let name: String
    static var declared: [(name: String, help: String)] {
        PluginFlags.postShorthands.map { ($0.shorthand.flag.name, $0.shorthand.flag.help) }
    }
}

/// `--facebook-login` and the other login variants of `atom auth`.
struct LoginVariantFlag: DeclaredPluginFlag {
    let name: String
    static var declared: [(name: String, help: String)] {
        PluginFlags.loginVariants.map { ($0.variant.flag.name, "(\($0.platform) only) \($0.variant.flag.help)") }
    }
}
