import AsyncHTTPClient
import AsyncHTTPTransport
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PlatformKit
import PublishingCore
import PublishingEngine

/// The composition root: builds the credential chain, HTTP client, registry, stager, record and
/// orchestrator once, and shuts the HTTP client down at the end. Nothing else constructs collaborators.
struct AppContext: Sendable {
    let processEnvironment: [String: String]
    let dotEnv: DotEnvFile
    /// Which .env file and state folder are in use, and why.
    let paths: ConfigurationPaths
    let credentials: any CredentialStore
    let client: HTTPClient
    let transport: any HTTPTransport
    let registry: PlatformRegistry
    /// Both records in the state folder (what shows the owner their data reads both).
    let book: RecordBook
    /// The record this environment writes to: the sandbox record when ``recordsAsSandbox``, else the real one.
    let records: RecordStore
    let logger: Logger
    /// True when atom talks to its built-in sandbox instead of the real platforms (`--sandbox`).
    let sandbox: Bool
    /// True when posts are recorded as sandbox posts, in the sandbox record: `--sandbox`, or a platform endpoint on
    /// loopback (the settings `atom sandbox` prints, a local fake). Such entries never count for real posts' duplicate
    /// checks, being in another record.
    let recordsAsSandbox: Bool

    /// Builds the context, runs `body`, and shuts down.
    /// - Parameter overrides: Settings that win over both environment and .env (the sandbox's).
    static func with<T: Sendable>(
        _ options: GlobalOptions, overrides: [String: String]? = nil, creatingEnvFile: Bool = false,
        _ body: (AppContext) async throws -> T
    ) async throws -> T {
        let app = try make(options, overrides: overrides, creatingEnvFile: creatingEnvFile)
        do {
            let result = try await body(app)
            try? await app.client.shutdown()
            return result
        } catch {
            try? await app.client.shutdown()
            throw error
        }
    }

    /// - Parameter creatingEnvFile: The command writes the `.env` file (`atom auth`), so an explicit one may not exist yet.
    static func make(_ options: GlobalOptions, overrides: [String: String]?, creatingEnvFile: Bool = false) throws -> AppContext {
        Logging.bootstrapOnce(verbose: options.verbose)
        var environment = Launch.environment
        let (paths, dotEnv) = try ConfigurationPaths.load(
            explicit: options.envFile, environment: environment, creating: creatingEnvFile)
        var stores: [any CredentialStore] = []
        if let overrides {
            // The sandbox's settings win, and real tokens from the environment are not used at all.
            stores.append(MemoryCredentialStore(overrides))
            let prefixes = Registry.plugins.flatMap(\.environmentPrefixes) + ["AWS_"]
            environment = environment.filter { key, _ in !prefixes.contains(where: key.hasPrefix) && !(key.hasPrefix("ATOM_") && key != "ATOM_STATE_DIR") }
            stores.append(EnvironmentStore(environment))
        } else {
            stores.append(EnvironmentStore(environment))
            stores.append(dotEnv)
        }
        let credentials: any CredentialStore = overrides != nil
            ? ChainedCredentialStore(stores, writer: stores.first)
            : ChainedCredentialStore(stores, writer: dotEnv)
        for key in dotEnv.duplicateKeys {
            Console.info("warning: \(key) is set more than once in \(dotEnv.path); atom reads and writes its last line")
        }
        let book = try RecordBook.open(directory: paths.stateDirectory)
        if let warning = book.real.permissionsWarning() { Console.info(warning) }
        let loopback = overrides == nil && (try? Self.endpointsOnLoopback(credentials, keys: Set(environment.keys).union(dotEnv.values.keys))) == true
        let recordsAsSandbox = overrides != nil || loopback
        let configuration = try transportConfiguration(credentials)
        let choice = try TransportChoice(setting: credentials.nonEmpty("ATOM_HTTP_TRANSPORT"))
        // The URLSession transport's library is loaded only when chosen: a missing one fails here, before any request.
        let library = choice == .urlSession ? try URLSessionLibrary.load(path: credentials.nonEmpty("ATOM_HTTP_TRANSPORT_LIBRARY")) : nil
        let client = AtomTransport.makeClient(configuration: configuration)
        let logger = Logger(label: "atom")
        let chosen = try AtomTransport.make(choice, client: client, configuration: configuration) { try library ?? URLSessionLibrary.load() }
        let transport = MiddlewareTransport(
            chosen,
            middlewares: [UserAgentMiddleware(), LoggingMiddleware(logger: logger)])
        return AppContext(
            processEnvironment: environment, dotEnv: dotEnv, paths: paths, credentials: credentials, client: client,
            transport: transport, registry: Registry.platforms, book: book, records: book.store(sandbox: recordsAsSandbox),
            logger: logger, sandbox: overrides != nil, recordsAsSandbox: recordsAsSandbox
        )
    }

    /// Whether any platform endpoint override (`ATOM_…_BASE`, `ATOM_…_URL`; not the S3 keys, not the browser's
    /// authorization pages) points at a loopback host.
    static func endpointsOnLoopback(_ credentials: any CredentialStore, keys: Set<String>) throws -> Bool {
        let endpointKeys = keys.filter { key in
            key.hasPrefix("ATOM_") && (key.hasSuffix("_BASE") || key.hasSuffix("_URL")) && !key.hasPrefix("ATOM_S3_")
                && !key.hasSuffix("_AUTH_URL")
        }
        for key in endpointKeys {
            guard let value = try credentials.value(for: key), let host = URL(string: value)?.host()?.lowercased() else { continue }
            let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            if bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1" || bare.hasPrefix("127.") { return true }
        }
        return false
    }

    /// Timeouts: `ATOM_CONNECT_TIMEOUT` seconds to connect (default 5: a dead host fails fast instead of
    /// hanging 15 s per attempt).
    static func transportConfiguration(_ credentials: any CredentialStore) throws -> TransportConfiguration {
        var configuration = TransportConfiguration(connectTimeout: .seconds(5))
        if let text = try credentials.nonEmpty("ATOM_CONNECT_TIMEOUT") {
            guard let seconds = Double(text), seconds > 0, seconds <= 300 else {
                throw PublishError(
                    .configuration, message: "ATOM_CONNECT_TIMEOUT must be a number of seconds between 0 and 300, not '\(text)'",
                    remediation: "fix it in the .env file or the environment")
            }
            configuration.connectTimeout = .milliseconds(Int(seconds * 1000))
        }
        return configuration
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
        try Staging.makeStager(credentials: credentials, environment: processEnvironment, transport: transport, logger: logger)
    }

    /// The orchestrator; every staged URL it hands a platform lives `ATOM_S3_URL_TTL`, as the stager's configuration
    /// parsed it (the one parse: 1…604800 seconds, refused otherwise).
    func orchestrator() throws -> Orchestrator {
        let stager = try stager()
        return Orchestrator(
            stager: stager, records: records, logger: logger,
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
    private static let level = LockedBox<Logger.Level?>(nil)

    /// Bootstraps logging to stderr once: `--verbose` or `ATOM_LOG_LEVEL` (default warning).
    static func bootstrapOnce(verbose: Bool = false) {
        let first = level.withLock { value -> Bool in
            guard value == nil else { return false }
            value = verbose
                ? .debug
                : Launch.environment["ATOM_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            return true
        }
        guard first, let chosen = level.value else { return }
        LoggingSystem.bootstrap { label in
            var handler = RedactingLogHandler(base: StreamLogHandler.standardError(label: label))
            handler.logLevel = chosen
            return handler
        }
    }
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
        set { base.metadata = Redaction.redact(metadata: newValue) }
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue.map(Redaction.redact(metadataValue:)) }
    }

    /// Masks the message, every metadata value and the attached error's description.
    func log(event: LogEvent) {
        var event = event
        event.message = "\(Redaction.redact(event.message.description))"
        var metadata = event.metadata.map(Redaction.redact(metadata:))
        if let error = event.error {
            metadata = (metadata ?? [:]).merging(["error": .string(Redaction.redact(String(describing: error)))]) { _, new in new }
            event.error = nil
        }
        event.metadata = metadata
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
