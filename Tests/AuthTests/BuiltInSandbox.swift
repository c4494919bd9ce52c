import AtomSandbox
import FacebookAdapter
import InstagramAdapter
import PlatformKit
import TikTokAdapter
import YouTubeAdapter

/// The sandbox `atom` mounts (the four built-in plug-ins), with a typed accessor per fake for the assertions.
extension Sandbox {
    init(storage: String) throws {
        try self.init(plugins: [.tiktok, .instagram, .youtube, .facebook], storage: storage)
    }

    var tiktok: TikTokFake { fake(TikTokFake.self)! }
    var instagram: InstagramFake { fake(InstagramFake.self)! }
    var youtube: FakeYouTube { fake(FakeYouTube.self)! }
    var facebook: FakeFacebook { fake(FakeFacebook.self)! }
}
