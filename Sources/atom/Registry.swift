import FacebookAdapter
import InstagramAdapter
import PublishingCore
import TikTokAdapter
import YouTubeAdapter

/// The platforms this build of atom registers, in the order `atom platforms` lists them.
/// Adding a platform: add its adapter target to Package.swift and its factory here.
enum Registry {
    static let platforms = PlatformRegistry([.tiktok(), .instagram(), .youtube(), .facebook()])
}
