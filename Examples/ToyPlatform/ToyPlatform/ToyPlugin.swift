import PlatformKit
import PublishingCore

extension PlatformPlugin {
    /// The toy fifth platform: a publisher, its loopback fake, no login (the token is a setting).
    public static let toy = PlatformPlugin(
        publisher: .toy(),
        privacyHelp: "public only",
        environmentPrefixes: ["TOY_"],
        keyHelp: [
            "TOY_TOKEN": "The bearer token the toy API accepts.",
            "ATOM_TOY_API_BASE": "The API root (default https://toy.invalid).",
        ],
        sandbox: SandboxFake { _ in
            let fake = ToyFake()
            return SandboxFake.Part(services: [fake], inspectable: [fake])
        }
    )
}
