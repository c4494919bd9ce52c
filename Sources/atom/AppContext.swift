import AsyncHTTPClient
import AsyncHTTPTransport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Logging
import PublishingCore

/// The composition root: builds the credential chain, HTTP client, registry, stager, record and
/// orchestrator once, and shuts the HTTP client down at the end. Nothing else constructs collaborators.
struct AppContext: Sendable {
    let processEnvironment: [String: String]
    let dotEnv: DotEnvFile
    let credentials: any CredentialStore
    let client: HTTPClient
    let transport: any HTTPTransport
    let registry: PlatformRegistry
    let records: RecordStore
    let logger: Logger
    /// True when atom talks to its built-in sandbox instead of the real platforms.
    let sandbox: Bool

    /// Builds the context, runs `body`, and shuts down.
    /// - Parameter overrides: Settings that win over both environment and .env (the sandbox's).
    static func with<T: Sendable>(
        _ options: GlobalOptions, overrides: [String: String]? = nil, _ body: (AppContext) async throws -> T
    ) async throws -> T {
        let app = try make(options, overrides: overrides)
        do {
            let result = try await body(app)
            try? await app.client.shutdown()
            return result
        } catch {
            try? await app.client.shutdown()
            throw error
        }
    }

    static func make(_ options: GlobalOptions, overrides: [String: String]?) throws -> AppContext {
        Logging.bootstrapOnce()
        var environment = ProcessInfo.processInfo.environment
        let dotEnv = try DotEnvFile(path: options.envFile)
        var stores: [any CredentialStore] = []
        if let overrides {
            // The sandbox's settings win, and real tokens from the environment are not used at all.
            stores.append(MemoryCredentialStore(overrides))
            environment = environment.filter { key, _ in !key.hasPrefix("TIKTOK_") && !key.hasPrefix("INSTAGRAM_") && !key.hasPrefix("YOUTUBE_") && !key.hasPrefix("FACEBOOK_") && !key.hasPrefix("AWS_") && !(key.hasPrefix("ATOM_") && key != "ATOM_STATE_DIR") }
            stores.append(EnvironmentStore(environment))
        } else {
            stores.append(EnvironmentStore(environment))
            stores.append(dotEnv)
        }
        let credentials: any CredentialStore = overrides != nil
            ? ChainedCredentialStore(stores, writer: stores.first)
            : ChainedCredentialStore(stores, writer: dotEnv)
        let client = AsyncHTTPClientTransport.makeClient()
        let logger = Logger(label: "atom")
        let transport = MiddlewareTransport(AsyncHTTPClientTransport(client: client), middlewares: [UserAgentMiddleware(), LoggingMiddleware(logger: logger)])
        return AppContext(
            processEnvironment: environment, dotEnv: dotEnv, credentials: credentials, client: client, transport: transport,
            registry: Registry.platforms, records: RecordStore(directory: RecordStore.defaultDirectory(environment: ProcessInfo.processInfo.environment)),
            logger: logger, sandbox: overrides != nil
        )
    }

    /// What a factory builds a publisher from.
    var publisherEnvironment: PublisherEnvironment {
        PublisherEnvironment(credentials: credentials, transport: transport, logger: logger)
    }

    /// Builds the publishers for `names`, collecting every configuration problem at once.
    /// - Throws: A `configuration` ``PublishError`` listing every missing key for every platform.
    func publishers(for names: [String]) throws -> [any Publisher] {
        var publishers: [any Publisher] = []
        var problems: [String] = []
        for name in names {
            guard let factory = registry.factory(named: name) else { continue }
            let missing = factory.missingKeys(in: credentials)
            if !missing.isEmpty {
                problems.append("\(name): missing \(missing.joined(separator: ", ")) — run `atom auth \(name)` or add them to \(dotEnv.path)")
                continue
            }
            do {
                publishers.append(try factory.makePublisher(publisherEnvironment))
            } catch let error as PublishError {
                problems.append(error.attributed(to: factory.platform).description)
            }
        }
        guard problems.isEmpty else {
            throw PublishError(.configuration, message: "not configured:\n  " + problems.joined(separator: "\n  "),
                               remediation: "nothing was uploaded")
        }
        return publishers
    }

    /// The stager, if staging is configured (`ATOM_S3_BUCKET`).
    func stager() throws -> (any MediaStager)? {
        try Staging.makeStager(credentials: credentials, transport: transport, logger: logger)
    }

    /// How long staged URLs stay valid.
    var stagingURLLifetime: Duration {
        let seconds = ((try? credentials.nonEmpty("ATOM_S3_URL_TTL")) ?? nil).flatMap(Int.init) ?? 3600
        return .seconds(max(60, min(seconds, 604_800)))
    }

    func orchestrator() throws -> Orchestrator {
        Orchestrator(stager: try stager(), records: records, logger: logger, stagingURLLifetime: stagingURLLifetime,
                     hashes: HashCache(directory: records.directory))
    }
}

/// Sets `User-Agent: atom/<version>` on every request.
struct UserAgentMiddleware: HTTPMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if request.headerFields[.userAgent] == nil { request.headerFields[.userAgent] = "atom/0.1.0" }
        return try await next(request, body, baseURL)
    }
}

/// Logs each request's operation, method, host and status at debug level — never headers, queries or bodies.
struct LoggingMiddleware: HTTPMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let start = ContinuousClock.now
        do {
            let (response, responseBody) = try await next(request, body, baseURL)
            logger.debug("\(operationID) \(request.method.rawValue) \(baseURL.host() ?? "") → \(response.status.code) in \(ContinuousClock.now - start)")
            return (response, responseBody)
        } catch {
            logger.debug("\(operationID) \(request.method.rawValue) \(baseURL.host() ?? "") failed: \(Redaction.redact(String(describing: error)))")
            throw error
        }
    }
}

enum Logging {
    private static let once: Void = {
        let level = ProcessInfo.processInfo.environment["ATOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = RedactingLogHandler(base: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
    }()

    static func bootstrapOnce() { _ = once }
}

/// Redacts every message before it reaches stderr.
struct RedactingLogHandler: LogHandler {
    var base: StreamLogHandler
    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }
    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(Redaction.redact(event.message.description))"
        base.log(event: event)
    }
}

extension AppContext {
    /// A publisher for offline checks (`atom validate`): missing tokens are filled with placeholders,
    /// since validation never calls the platform.
    func offlinePublisher(named name: String) throws -> any Publisher {
        guard let factory = registry.factory(named: name) else {
            throw PublishError(.invalidInput, message: "unknown platform \(name)")
        }
        // Ids get a plausible numeric placeholder (adapters check their shape); everything else a word.
        let placeholders = MemoryCredentialStore(Dictionary(uniqueKeysWithValues: factory.requiredKeys.map { key in
            (key, key.hasSuffix("_ID") ? "1000000000000001" : "offline-validation")
        }))
        var environment = publisherEnvironment
        environment.credentials = ChainedCredentialStore([credentials, placeholders])
        return try factory.makePublisher(environment)
    }
}
