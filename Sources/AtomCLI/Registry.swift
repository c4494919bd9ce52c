import OAuthLogin
import PlatformKit
import PublishingCore

/// The platforms this build registers, handed in once by a composition root (`atom`'s is `Sources/atom/main.swift`),
/// in the order `atom platforms` lists them, and what the commands derive from them.
enum Registry {
    private static let installed = LockedBox<[PlatformPlugin]>([])

    /// Registers the plug-ins; called once, before the command line is parsed (help text is derived from them).
    static func install(_ plugins: [PlatformPlugin]) {
        var seen = Set<String>()
        installed.withLock { $0 = plugins.filter { seen.insert($0.name).inserted } }
    }

    /// The plug-ins, in order.
    static var plugins: [PlatformPlugin] { installed.withLock { $0 } }

    /// The publishers.
    static var platforms: PlatformRegistry { PlatformRegistry(plugins.map(\.publisher)) }
    /// Each platform's account control (`atom auth status`, `atom auth revoke`, `atom unpublish`), in the same order.
    static var accounts: [AccountControlFactory] { plugins.compactMap(\.account) }
    /// The platforms `atom auth` can log in to.
    static var logins: [OAuthProviderFactory] { plugins.compactMap(\.login) }

    /// The plug-in named on the command line, if registered.
    static func plugin(named name: String) -> PlatformPlugin? {
        plugins.first { $0.name == name.lowercased() }
    }

    /// "a, b or c", for help text.
    static func spelled(_ names: [String], conjunction: String = "or") -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " \(conjunction) " + names[names.count - 1]
    }
}

/// What the process was started with, handed in by the composition root (only it reads the process environment).
enum Launch {
    private static let box = LockedBox<[String: String]>([:])

    /// The process environment.
    static var environment: [String: String] {
        get { box.withLock { $0 } }
        set { box.withLock { $0 = newValue } }
    }
}
