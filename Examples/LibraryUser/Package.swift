// swift-tools-version: 6.1
import PackageDescription

// A program that uses atom as a library (by path, as a separate package would by URL): it posts a video to the
// YouTube plug-in's loopback fake with the orchestrator. CI builds it (`.ci/run`).
let package = Package(
    name: "LibraryUser",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "atom", path: "../.."),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "LibraryUser",
            dependencies: [
                .product(name: "PublishingCore", package: "atom"),
                .product(name: "PublishingEngine", package: "atom"),
                .product(name: "PlatformKit", package: "atom"),
                .product(name: "YouTubeAdapter", package: "atom"),
                .product(name: "AtomSandbox", package: "atom"),
                .product(name: "AsyncHTTPTransport", package: "atom"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
        )
    ]
)
