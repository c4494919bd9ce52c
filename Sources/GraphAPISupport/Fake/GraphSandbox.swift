import PlatformKit
import PublishingCore

/// What the Graph API plug-ins share in a sandbox: one Facebook Login fake granting the Page the Facebook plug-in
/// registered (linked to the Instagram account the Instagram plug-in registered), and the Graph host's
/// "unknown object" answer, mounted once after both.
public enum GraphSandbox {
    /// The Page the Facebook fake publishes to.
    public static let page = SandboxKey<FakeFacebookLogin.Page>("graph.page")
    /// The app secret the Facebook fake checks proofs with.
    public static let appSecret = SandboxKey<String>("graph.appSecret")
    /// The Instagram professional account linked to the Page.
    public static let instagramAccountID = SandboxKey<String>("graph.instagramAccountID")

    /// Registers the shared Graph services (once per world, whichever plug-in asks first).
    public static func share(in world: SandboxWorld) {
        world.share("graph.facebookLogin") { world in
            var configuration = FakeFacebookLogin.Configuration()
            if let page = world.value(page) {
                var linked = page
                linked.instagramAccountID = world.value(instagramAccountID)
                configuration = FakeFacebookLogin.Configuration(
                    appSecret: world.value(appSecret) ?? "sandbox-facebook-app-secret", pages: [linked])
            }
            return FakeFacebookLogin(configuration: configuration).services
        }
        world.share("graph.unknownObject") { _ in [GraphUnknownObjectService()] }
    }
}

extension PageSelection {
    /// `--page`: the Facebook Page to use when Facebook Login grants several.
    public static let facebookPage = PageSelection(setting: "FACEBOOK_PAGE_ID", noun: "Facebook Page id")
}
