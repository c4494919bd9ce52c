import FacebookAdapter
import InstagramAdapter
import PublishingCore
import TikTokAdapter
import YouTubeAdapter

/// The platforms this build of atom registers, in the order `atom platforms` lists them.
/// Adding a platform: add its adapter target to Package.swift and its factory here.
enum Registry {
    static let platforms = PlatformRegistry([.tiktok(), .instagram(), .youtube(), .facebook()])
    /// Each platform's account control (`atom auth status`, `atom auth revoke`, `atom unpublish`), in the same order.
    static let accounts: [AccountControlFactory] = [.tiktok(), .instagram(), .youtube(), .facebook()]
}
