import GraphAPISupport
import PlatformKit
import PublishingCore

extension PlatformPlugin {
    /// Facebook: Page videos and Reels through the Graph API, Facebook Login, a loopback fake.
    public static let facebook = PlatformPlugin(
        publisher: .facebook(), account: .facebook(), login: .facebook(),
        pageSelection: .facebookPage,
        privacyHelp: "public only (posts reach whoever can see the Page)",
        environmentPrefixes: ["FACEBOOK_"],
        keyHelp: [
            "FACEBOOK_PAGE_ID": "The Page that posts.",
            "FACEBOOK_PAGE_ACCESS_TOKEN": "The Page token `atom auth facebook` writes.",
        ],
        sandbox: SandboxFake { world in
            let fake = FakeFacebook(configuration: FakeFacebook.Configuration(processingPolls: 0))
            let page = fake.configuration
            world.set(
                GraphSandbox.page, FakeFacebookLogin.Page(id: page.pageID, name: page.pageName, accessToken: page.accessToken))
            if let secret = page.appSecret { world.set(GraphSandbox.appSecret, secret) }
            GraphSandbox.share(in: world)
            return SandboxFake.Part(services: fake.services + [fake.accountService], inspectable: [fake])
        }
    )
}
