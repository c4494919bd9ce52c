// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let openAPIRuntime = Target.Dependency.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let nio = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let ahc = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")
let openAPIURLSession = Target.Dependency.product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")

let package = Package(
    name: "atom",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PublishingCore", targets: ["PublishingCore"]),
        .library(name: "PublishingEngine", targets: ["PublishingEngine"]),
        .library(name: "MediaInspection", targets: ["MediaInspection"]),
        .library(name: "OAuthLogin", targets: ["OAuthLogin"]),
        .library(name: "AsyncHTTPTransport", targets: ["AsyncHTTPTransport"]),
        .library(name: "TikTokAdapter", targets: ["TikTokAdapter"]),
        .library(name: "InstagramAdapter", targets: ["InstagramAdapter"]),
        .library(name: "YouTubeAdapter", targets: ["YouTubeAdapter"]),
        .library(name: "FacebookAdapter", targets: ["FacebookAdapter"]),
        .library(name: "S3Staging", targets: ["S3Staging"]),
        .library(name: "AtomSandbox", targets: ["AtomSandbox"]),
        .library(name: "AtomTestSupport", targets: ["AtomTestSupport"]),
        .library(name: "PlatformKit", targets: ["PlatformKit"]),
        .library(name: "AtomCLI", targets: ["AtomCLI"]),
        .executable(name: "atom", targets: ["atom"]),
        // The URLSession transport (ATOM_HTTP_TRANSPORT=urlsession) as a library atom loads only when it is chosen,
        // so that atom itself links neither FoundationNetworking nor libcurl (docs/architecture.md, "Transports").
        .library(name: "AtomURLSession", type: .dynamic, targets: ["URLSessionTransportSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession", from: "1.4.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // A small C shim over stat(2) (see its header for why).
        .target(name: "CAtomSystem"),
        // The platform-neutral vocabulary: the Publisher protocol and its value types, errors, redaction, retry,
        // the transport seam (OpenAPIRuntime's ClientTransport/ClientMiddleware), credentials and token refresh.
        .target(
            name: "PublishingCore",
            dependencies: ["CAtomSystem", httpTypes, openAPIRuntime, logging, crypto, nioPosix],
            swiftSettings: upcoming
        ),
        // The engine: the orchestrator (inspect, post, resume), the record and its lock, staging coordination.
        .target(name: "PublishingEngine", dependencies: ["PublishingCore", "MediaInspection", logging, nioPosix], swiftSettings: upcoming),
        // The MP4/MOV probe: a file's box headers to MediaInfo.
        .target(name: "MediaInspection", dependencies: ["PublishingCore", nioPosix], swiftSettings: upcoming),
        // The interactive OAuth login: loopback redirect receiver, PKCE, authorization request, providers.
        .target(name: "OAuthLogin", dependencies: ["PublishingCore", crypto, nio, nioPosix], swiftSettings: upcoming),
        // The production transports (atom's own over AsyncHTTPClient by default; swift-openapi-urlsession on
        // request, loaded from the AtomURLSession library through a C entry point) and the middlewares that map
        // their errors. Links no FoundationNetworking.
        .target(
            name: "AsyncHTTPTransport",
            dependencies: ["PublishingCore", ahc, nio, nioPosix, httpTypes, openAPIRuntime],
            swiftSettings: upcoming
        ),
        // swift-openapi-urlsession behind a C entry point (only strings, bytes and a C callback cross it): the
        // AtomURLSession dynamic library atom loads for ATOM_HTTP_TRANSPORT=urlsession; the tests link it directly.
        .target(name: "URLSessionTransportSupport", dependencies: [openAPIURLSession, openAPIRuntime, httpTypes], swiftSettings: upcoming),
        // A platform as one value (PlatformPlugin), and the loopback fake-server kit every platform's fake uses.
        .target(
            name: "PlatformKit",
            dependencies: ["PublishingCore", "OAuthLogin", nio, nioPosix, nioHTTP1, ahc, httpTypes, openAPIRuntime, logging, crypto],
            swiftSettings: upcoming
        ),
        // Graph API plumbing shared by the Instagram and Facebook adapters (error mapping, versions).
        .target(name: "GraphAPISupport", dependencies: ["PublishingCore", "OAuthLogin", "PlatformKit", httpTypes, openAPIRuntime, logging, nio], swiftSettings: upcoming),
        // Each adapter holds its platform's publisher, its loopback fake (Fake/) and its plug-in (<Platform>Plugin.swift).
        .target(name: "TikTokAdapter", dependencies: ["PublishingCore", "OAuthLogin", "PlatformKit", httpTypes, openAPIRuntime, logging, crypto, nio, nioHTTP1, ahc], swiftSettings: upcoming),
        .target(name: "InstagramAdapter", dependencies: ["PublishingCore", "OAuthLogin", "PlatformKit", "GraphAPISupport", httpTypes, openAPIRuntime, logging, crypto, nio, nioHTTP1, ahc], swiftSettings: upcoming),
        .target(name: "YouTubeAdapter", dependencies: ["PublishingCore", "OAuthLogin", "PlatformKit", httpTypes, openAPIRuntime, logging, crypto, nio, nioHTTP1, ahc], swiftSettings: upcoming),
        .target(name: "FacebookAdapter", dependencies: ["PublishingCore", "OAuthLogin", "PlatformKit", "GraphAPISupport", httpTypes, openAPIRuntime, logging, crypto, nio, nioHTTP1, ahc], swiftSettings: upcoming),
        .target(name: "S3Staging", dependencies: ["PublishingCore", "PublishingEngine", httpTypes, openAPIRuntime, logging, crypto], swiftSettings: upcoming),
        // The S3 fake, and the sandbox assembled from a list of plug-ins (each platform's fake is in its adapter).
        .target(
            name: "AtomSandbox",
            dependencies: ["PublishingCore", "OAuthLogin", "PlatformKit", "AsyncHTTPTransport", "S3Staging", nio, nioPosix, nioHTTP1, ahc, httpTypes, openAPIRuntime, logging, crypto],
            swiftSettings: upcoming
        ),
        // Scheduled posts: the jobs store and the seam to the OS scheduler (systemd user timers, launchd, at).
        .target(name: "Scheduling", dependencies: ["PublishingCore", "PublishingEngine", nioPosix], swiftSettings: upcoming),
        .target(
            name: "AtomTestSupport",
            dependencies: ["PublishingCore", "PlatformKit", "AsyncHTTPTransport", "URLSessionTransportSupport", "AtomSandbox", ahc, nio, nioHTTP1, httpTypes, openAPIRuntime, logging],
            swiftSettings: upcoming
        ),
        // The command line as a library: `AtomCommandLine.main(plugins:environment:)`; knows no platform by name.
        .target(
            name: "AtomCLI",
            dependencies: [
                "PublishingCore", "PublishingEngine", "OAuthLogin", "PlatformKit", "AsyncHTTPTransport", "S3Staging", "AtomSandbox", "Scheduling",
                argumentParser, logging, yams, ahc, httpTypes, openAPIRuntime, nio,
            ],
            swiftSettings: upcoming
        ),
        // The composition root: the plug-in list.
        .executableTarget(
            name: "atom",
            dependencies: ["AtomCLI", "PlatformKit", "TikTokAdapter", "InstagramAdapter", "YouTubeAdapter", "FacebookAdapter"],
            swiftSettings: upcoming
        ),
        // The toy fifth platform (Examples/ToyPlatform): its own target, one line in a composition root.
        .target(
            name: "ToyPlatform", dependencies: ["PlatformKit", "PublishingCore", httpTypes, openAPIRuntime, nio],
            path: "Examples/ToyPlatform/ToyPlatform", swiftSettings: upcoming
        ),
        .executableTarget(
            name: "atom-with-toy",
            dependencies: ["AtomCLI", "PlatformKit", "TikTokAdapter", "InstagramAdapter", "YouTubeAdapter", "FacebookAdapter", "ToyPlatform"],
            path: "Examples/ToyPlatform/atom-with-toy", swiftSettings: upcoming
        ),
        .testTarget(name: "PublishingCoreTests", dependencies: ["PublishingCore", "PublishingEngine", "MediaInspection", "AtomTestSupport", "AsyncHTTPTransport", "AtomSandbox", "PlatformKit", httpTypes, openAPIRuntime, logging, nio, nioPosix, crypto], swiftSettings: upcoming),
        .testTarget(name: "TikTokAdapterTests", dependencies: ["TikTokAdapter", "AtomTestSupport", "AtomSandbox", "PlatformKit", "PublishingCore", "PublishingEngine", "AsyncHTTPTransport", httpTypes, openAPIRuntime], swiftSettings: upcoming),
        .testTarget(name: "InstagramAdapterTests", dependencies: ["InstagramAdapter", "GraphAPISupport", "AtomTestSupport", "AtomSandbox", "PlatformKit", "PublishingCore", "PublishingEngine", "MediaInspection", "AsyncHTTPTransport", httpTypes, openAPIRuntime, crypto], swiftSettings: upcoming),
        .testTarget(name: "YouTubeAdapterTests", dependencies: ["YouTubeAdapter", "AtomTestSupport", "AtomSandbox", "PlatformKit", "PublishingCore", "PublishingEngine", "MediaInspection", "AsyncHTTPTransport", httpTypes, openAPIRuntime], swiftSettings: upcoming),
        .testTarget(name: "FacebookAdapterTests", dependencies: ["FacebookAdapter", "GraphAPISupport", "AtomTestSupport", "AtomSandbox", "PlatformKit", "PublishingCore", "MediaInspection", "AsyncHTTPTransport", httpTypes, openAPIRuntime, logging], swiftSettings: upcoming),
        .testTarget(name: "S3StagingTests", dependencies: ["S3Staging", "AtomTestSupport", "AtomSandbox", "PlatformKit", "PublishingCore", "PublishingEngine", httpTypes, openAPIRuntime, logging, crypto], swiftSettings: upcoming),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling", "PublishingCore", "PublishingEngine", "AtomTestSupport"], swiftSettings: upcoming),
        .testTarget(name: "AtomCLITests", dependencies: ["AtomTestSupport", "AtomSandbox", "PlatformKit", "PublishingCore", "PublishingEngine", nio], swiftSettings: upcoming),
        .testTarget(name: "AuthTests", dependencies: ["AtomTestSupport", "AtomSandbox", "PlatformKit", "GraphAPISupport", "PublishingCore", "PublishingEngine", "OAuthLogin", httpTypes, openAPIRuntime, "TikTokAdapter", "InstagramAdapter", "YouTubeAdapter", "FacebookAdapter"], swiftSettings: upcoming),
    ]
)
