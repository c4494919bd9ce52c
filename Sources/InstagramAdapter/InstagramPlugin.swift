import GraphAPISupport
import PlatformKit
import PublishingCore

extension PlatformPlugin {
    /// Instagram: Reels through the Instagram API (Instagram Login, or Facebook Login with a linked Page).
    public static let instagram = PlatformPlugin(
        publisher: .instagram(), account: .instagram(), login: .instagram(),
        loginVariants: [
            LoginVariant(
                flag: "facebook-login", help: "Log in with Facebook Login (an Instagram account linked to a Page).",
                settings: ["INSTAGRAM_LOGIN": "facebook"], pageSelection: .facebookPage)
        ],
        privacyHelp: "public only (posts reach whoever can see the account)",
        environmentPrefixes: ["INSTAGRAM_"],
        keyHelp: [
            "INSTAGRAM_ACCESS_TOKEN": "The long-lived token `atom auth instagram` writes.",
            "INSTAGRAM_USER_ID": "The Instagram professional account that posts.",
        ],
        sandbox: SandboxFake { world in
            let fake = InstagramFake()
            let login = FakeInstagramLogin(
                configuration: FakeInstagramLogin.Configuration(userID: fake.userID, longLivedToken: fake.initialToken))
            world.set(GraphSandbox.instagramAccountID, fake.userID)
            GraphSandbox.share(in: world)
            // The account service answers before the fake, which answers every other path on the Graph mount.
            return SandboxFake.Part(services: [fake.accountService] + fake.services + login.services, inspectable: [fake])
        }
    )
}
