import AtomCLI
import FacebookAdapter
import Foundation
import InstagramAdapter
import PlatformKit
import TikTokAdapter
import ToyPlatform
import YouTubeAdapter

// A composition root like Sources/atom/main.swift with one more line: the toy platform's plug-in (and its import).
// The end-to-end test drives this binary; the shipped `atom` does not list the toy.
let plugins: [PlatformPlugin] = [
    .tiktok,
    .instagram,
    .youtube,
    .facebook,
    .toy,
]

await AtomCommandLine.main(plugins: plugins, environment: ProcessInfo.processInfo.environment)
