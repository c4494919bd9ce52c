import AtomCLI
import FacebookAdapter
import Foundation
import InstagramAdapter
import PlatformKit
import TikTokAdapter
import YouTubeAdapter

// atom's composition root: the platforms this build registers, in the order `atom platforms` lists them.
// Adding a platform is one line here (and its target in Package.swift); docs/adding-a-platform.md has the recipe.
let plugins: [PlatformPlugin] = [
    .tiktok,
    .instagram,
    .youtube,
    .facebook,
]

await AtomCommandLine.main(plugins: plugins, environment: ProcessInfo.processInfo.environment)
