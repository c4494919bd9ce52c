import PlatformKit
import PublishingCore

extension PlatformPlugin {
    /// TikTok: Content Posting API (direct post or inbox draft), Login Kit, a loopback fake.
    public static let tiktok = PlatformPlugin(
        publisher: .tiktok(), account: .tiktok(), login: .tiktok(),
        postShorthands: [
            PostShorthand(
                flag: "tiktok-draft", help: "Send to the TikTok inbox as a draft instead of posting directly.",
                option: "draft", value: .bool(true))
        ],
        privacyHelp: "public, private (SELF_ONLY), friends, followers; no unlisted; default private (SELF_ONLY)",
        environmentPrefixes: ["TIKTOK_"],
        keyHelp: [
            "TIKTOK_ACCESS_TOKEN": "The user access token `atom auth tiktok` writes.",
        ],
        sandbox: SandboxFake { _ in
            // Processing finishes at the first status poll, so a demo run takes seconds, not minutes.
            let fake = TikTokFake(TikTokFake.Configuration(processingPolls: 0))
            return SandboxFake.Part(services: [fake.accountService, fake], inspectable: [fake])
        }
    )
}
