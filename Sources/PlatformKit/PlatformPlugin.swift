import OAuthLogin
import PublishingCore

/// One platform, as one value: everything atom's command line, its sandbox and its help need to know about it.
///
/// A composition root lists the plug-ins once (`atom`'s is `Sources/atom/main.swift`); the registry, `atom auth`,
/// `atom platforms`, the sandbox and the help text are derived from that list, so adding a platform is its own
/// target, its entry in Package.swift and one line in that list.
public struct PlatformPlugin: Sendable {
    /// Builds the publisher; also carries the platform's id, display name and configuration keys.
    public let publisher: PublisherFactory
    /// `atom auth status`, `atom auth revoke`, `atom unpublish`; `nil` if the platform has none.
    public let account: AccountControlFactory?
    /// `atom auth <platform>` (OAuth login); `nil` if tokens come from elsewhere.
    public let login: OAuthProviderFactory?
    /// Other ways to log in, each chosen by a flag of `atom auth` (e.g. a partner login).
    public let loginVariants: [LoginVariant]
    /// The setting `atom auth <platform> --page ID` fills, if the login can grant several pages or accounts.
    public let pageSelection: PageSelection?
    /// Shorthand flags of `atom post`/`atom validate` that set one of this platform's post options.
    public let postShorthands: [PostShorthand]
    /// Which `--privacy` values it takes and its default, in one line for `atom post --help`.
    public let privacyHelp: String?
    /// The prefixes of its environment variables: the sandbox ignores real settings that start with one.
    public let environmentPrefixes: [String]
    /// The configuration keys (the publisher factory's required and optional ones), with one line of help where the
    /// plug-in gives it.
    public let keys: [ConfigurationKey]
    /// Its loopback fake, mounted by `atom sandbox` and `atom post --sandbox`; `nil` if it has none.
    public let sandbox: SandboxFake?

    /// Creates a plug-in.
    public init(
        publisher: PublisherFactory, account: AccountControlFactory? = nil, login: OAuthProviderFactory? = nil,
        loginVariants: [LoginVariant] = [], pageSelection: PageSelection? = nil, postShorthands: [PostShorthand] = [],
        privacyHelp: String? = nil, environmentPrefixes: [String], keyHelp: [String: String] = [:],
        sandbox: SandboxFake? = nil
    ) {
        self.publisher = publisher
        self.account = account
        self.login = login
        self.loginVariants = loginVariants
        self.pageSelection = pageSelection
        self.postShorthands = postShorthands
        self.privacyHelp = privacyHelp
        self.environmentPrefixes = environmentPrefixes
        self.keys = ConfigurationKey.listed(by: publisher, help: keyHelp)
        self.sandbox = sandbox
    }

    /// The platform.
    public var platform: PlatformID { publisher.platform }
    /// Its command-line name (`--to NAME`, `atom auth NAME`).
    public var name: String { publisher.platform.rawValue }
    /// Its name for people.
    public var displayName: String { publisher.displayName }
}

/// One configuration key of a platform.
public struct ConfigurationKey: Sendable, Equatable, Encodable {
    /// The `.env` / environment name.
    public let name: String
    /// Whether publishing needs it.
    public let isRequired: Bool
    /// One line of help.
    public let help: String

    /// The keys a publisher factory declares, required first, with the help given for them.
    static func listed(by factory: PublisherFactory, help: [String: String]) -> [ConfigurationKey] {
        factory.requiredKeys.map { ConfigurationKey(name: $0, isRequired: true, help: help[$0] ?? "") }
            + factory.optionalKeys.filter { !factory.requiredKeys.contains($0) }.map {
                ConfigurationKey(name: $0, isRequired: false, help: help[$0] ?? "")
            }
    }
}

/// A flag a plug-in adds to a command: its name without the leading dashes, and one line of help.
public struct PluginFlag: Sendable {
    /// The name, e.g. `tiktok-draft` for `--tiktok-draft`.
    public let name: String
    /// One line of help.
    public let help: String
}

/// Another way to log in to a platform, chosen by a flag of `atom auth` (e.g. `--partner-login`).
public struct LoginVariant: Sendable {
    /// The flag that chooses it.
    public let flag: PluginFlag
    /// The settings the login reads while it runs (they choose the variant in the platform's login provider).
    public let settings: [String: String]
    /// What `--page` fills with this variant, if it can grant several pages.
    public let pageSelection: PageSelection?

    /// Creates a variant.
    public init(flag: String, help: String, settings: [String: String], pageSelection: PageSelection? = nil) {
        self.flag = PluginFlag(name: flag, help: help)
        self.settings = settings
        self.pageSelection = pageSelection
    }
}

/// The setting `atom auth … --page ID` fills (read by the login provider exactly as from the `.env`), and what the
/// id names, for messages ("a numeric \(noun)").
public struct PageSelection: Sendable {
    /// The setting the id goes to, and what the id names.
    public let setting, noun: String

    /// Creates a page selection.
    public init(setting: String, noun: String) { (self.setting, self.noun) = (setting, noun) }
}

/// A flag of `atom post` and `atom validate` that sets post options of one platform (unless its manifest section
/// sets them).
public struct PostShorthand: Sendable {
    /// The flag.
    public let flag: PluginFlag
    /// The options it sets.
    public let options: [String: JSONValue]

    /// Creates a shorthand that sets one option.
    public init(flag: String, help: String, option: String, value: JSONValue) {
        self.flag = PluginFlag(name: flag, help: help)
        options = [option: value]
    }
}
