import ArgumentParser
import PlatformKit
import PublishingCore

/// The flags plug-ins declare (post shorthands, login variants), turned into the generic options the commands parse:
/// `--NAME` becomes `--platform-flag NAME` or `--login-variant NAME` before the command line is parsed.
enum PluginFlags {
    /// The generic option post shorthands become.
    static let postOption = "platform-flag"
    /// The generic option login variants become.
    static let loginOption = "login-variant"

    /// Every post shorthand, with the platform that declares it.
    static var postShorthands: [(platform: String, shorthand: PostShorthand)] {
        Registry.plugins.flatMap { plugin in plugin.postShorthands.map { (plugin.name, $0) } }
    }

    /// Every login variant, with the platform that declares it.
    static var loginVariants: [(platform: String, variant: LoginVariant)] {
        Registry.plugins.flatMap { plugin in plugin.loginVariants.map { (plugin.name, $0) } }
    }

    /// Rewrites the declared flags (up to a `--` terminator) into the generic options.
    static func expand(_ arguments: [String]) -> [String] {
        let post = Set(postShorthands.map(\.shorthand.flag.name))
        let login = Set(loginVariants.map(\.variant.flag.name))
        var expanded: [String] = []
        var ended = false
        for argument in arguments {
            let name = argument.hasPrefix("--") ? String(argument.dropFirst(2)) : ""
            if ended || name.isEmpty {
                expanded.append(argument)
            } else if post.contains(name) {
                expanded += ["--" + postOption, name]
            } else if login.contains(name) {
                expanded += ["--" + loginOption, name]
            } else {
                expanded.append(argument)
            }
            if argument == "--" { ended = true }
        }
        return expanded
    }

    /// Help for `--platform-flag`, listing the shorthands (hidden when no plug-in declares one).
    static var postHelp: ArgumentHelp {
        let list = postShorthands.map { "--\($0.shorthand.flag.name): \($0.shorthand.flag.help)" }
        return ArgumentHelp(
            "A platform's shorthand flag, also accepted as --NAME: \(list.joined(separator: " "))", valueName: "name",
            visibility: list.isEmpty ? .private : .default)
    }

    /// Help for `--login-variant`, listing the variants (hidden when no plug-in declares one).
    static var loginHelp: ArgumentHelp {
        let list = loginVariants.map { "--\($0.variant.flag.name) (\($0.platform) only): \($0.variant.flag.help)" }
        return ArgumentHelp(
            "Another way to log in, also accepted as --NAME: \(list.joined(separator: " "))", valueName: "name",
            visibility: list.isEmpty ? .private : .default)
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
