import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore
import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The URLSession transport's entry points (ATOM_HTTP_TRANSPORT=urlsession): C functions of the AtomURLSession
/// library, which atom loads only when that transport is chosen, so that atom itself links neither
/// FoundationNetworking nor libcurl. Only C strings, bytes and a C callback cross between them: the library has
/// its own copies of OpenAPIRuntime and HTTPTypes, whose types are not atom's.
public struct URLSessionLibrary: @unchecked Sendable {
    public typealias Completion = @convention(c) (
        UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<UInt8>?, Int64, UnsafePointer<CChar>?, UnsafePointer<CChar>?
    ) -> Void
    public typealias Open = @convention(c) (Double, Double) -> UnsafeMutableRawPointer
    public typealias Close = @convention(c) (UnsafeMutableRawPointer) -> Void
    public typealias Send = @convention(c) (
        UnsafeMutableRawPointer, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>,
        UnsafePointer<UInt8>?, Int64, UnsafeMutableRawPointer?, Completion
    ) -> UnsafeMutableRawPointer
    public typealias Handle = @convention(c) (UnsafeMutableRawPointer) -> Void

    /// The entry points' version this atom speaks (`atom_urlsession_abi_version`).
    public static let abiVersion: Int32 = 1
    /// The library's file name: next to the atom executable unless `ATOM_HTTP_TRANSPORT_LIBRARY` names another.
    #if canImport(Darwin)
    public static let fileName = "libAtomURLSession.dylib"
    #else
    public static let fileName = "libAtomURLSession.so"
    #endif

    let open: Open
    let close: Close
    let send: Send
    let cancel: Handle
    let release: Handle

    /// Entry points linked into this image (the tests link the library's target directly).
    public init(open: Open, close: Close, send: Send, cancel: Handle, release: Handle) {
        self.open = open
        self.close = close
        self.send = send
        self.cancel = cancel
        self.release = release
    }

    private static let loaded = Mutex<[String: URLSessionLibrary]>([:])

    /// Loads the library (once per path): `path`, else ``fileName`` in the folder of the running executable.
    /// - Throws: A `configuration` ``PublishError`` naming the file and what to do, when it is missing or unusable.
    public static func load(path explicit: String? = nil) throws -> URLSessionLibrary {
        let path = explicit ?? defaultPath()
        if let library = loaded.withLock({ $0[path] }) { return library }
        let remedy = "build it with `swift build --product AtomURLSession` (it goes next to atom), set ATOM_HTTP_TRANSPORT_LIBRARY to its path, or unset ATOM_HTTP_TRANSPORT to use the default transport"
        guard FileStatus.at(path) != nil else {
            throw PublishError(
                .configuration, message: "ATOM_HTTP_TRANSPORT=urlsession needs the AtomURLSession library, and \(path) does not exist",
                remediation: remedy)
        }
        guard let image = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PublishError(
                .configuration, message: "ATOM_HTTP_TRANSPORT=urlsession cannot load \(path): \(reason)", remediation: remedy)
        }
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let address = dlsym(image, name) else {
                throw PublishError(
                    .configuration, message: "\(path) is not atom's AtomURLSession library (it lacks \(name))", remediation: remedy)
            }
            return unsafeBitCast(address, to: type)
        }
        let version = try symbol("atom_urlsession_abi_version", as: (@convention(c) () -> Int32).self)()
        guard version == abiVersion else {
            throw PublishError(
                .configuration, message: "\(path) speaks version \(version) of atom's URLSession entry points, this atom \(abiVersion)",
                remediation: "rebuild it with this atom: `swift build --product AtomURLSession`")
        }
        let library = URLSessionLibrary(
            open: try symbol("atom_urlsession_open", as: Open.self), close: try symbol("atom_urlsession_close", as: Close.self),
            send: try symbol("atom_urlsession_send", as: Send.self), cancel: try symbol("atom_urlsession_cancel", as: Handle.self),
            release: try symbol("atom_urlsession_release", as: Handle.self))
        loaded.withLock { $0[path] = library }
        return library
    }

    /// ``fileName`` in the folder of the running executable (`/proc/self/exe` on Linux).
    public static func defaultPath() -> String {
        #if os(Linux)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        #else
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(fileName).path
    }
}

/// What the library reports for a failed request: a kind (`timedOut`, `cannotConnectToHost`, … from URLError's
/// code, `cancelled`, or `other`) and the error's text. ``TransportErrorMiddleware`` maps it.
public struct URLSessionLibraryError: Error, CustomStringConvertible, Sendable {
    public var kind: String
    public var text: String
    public var description: String { text }
}

/// A `ClientTransport` over the library's `atom_urlsession_send`: collects the request body (at most `maximumBody`
/// bytes), sends it with the URLSession the library opened with atom's timeouts, and gives the buffered response.
final class URLSessionLibraryTransport: ClientTransport, @unchecked Sendable {
    private let library: URLSessionLibrary
    private let session: UnsafeMutableRawPointer
    private let maximumBody: Int64

    init(library: URLSessionLibrary, configuration: TransportConfiguration) {
        self.library = library
        self.session = library.open(configuration.readTimeout.timeInterval, configuration.requestTimeout.timeInterval)
        self.maximumBody = configuration.maximumBufferedBody
    }

    deinit { library.close(session) }

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        var bytes: [UInt8]?
        if let body {
            var collected: [UInt8] = []
            if case .known(let count) = body.length { collected.reserveCapacity(Int(clamping: min(count, maximumBody))) }
            for try await chunk in body {
                guard Int64(collected.count + chunk.count) <= maximumBody else {
                    throw BufferedBodyLimitMiddleware.refusal(count: nil, maximum: maximumBody, operationID: operationID)
                }
                collected += chunk
            }
            bytes = collected
        }
        let headers = request.headerFields.map { "\($0.name.rawName): \($0.value)" }.joined(separator: "\n")
        let pending = PendingRequest(library: library)
        defer { pending.finish() }
        let reply: Reply = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Reply, any Error>) in
                let context = Unmanaged.passRetained(ContinuationBox(continuation)).toOpaque()
                let handle = request.method.rawValue.withCString { method in
                    baseURL.absoluteString.withCString { base in
                        (request.path ?? "").withCString { path in
                            headers.withCString { headers in
                                if let bytes {
                                    bytes.withUnsafeBufferPointer { buffer in
                                        library.send(session, method, base, path, headers, buffer.baseAddress, Int64(buffer.count), context, complete)
                                    }
                                } else {
                                    library.send(session, method, base, path, headers, nil, -1, context, complete)
                                }
                            }
                        }
                    }
                }
                pending.started(handle)
            }
        } onCancel: {
            pending.cancel()
        }
        var response = HTTPResponse(status: .init(code: Int(reply.status)))
        for line in reply.headers.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            response.headerFields.append(HTTPField(name: name, value: String(value)))
        }
        return (response, reply.body.map { HTTPBody($0) })
    }
}

/// The response as the completion copied it.
private struct Reply: Sendable {
    var status: Int32
    var headers: String
    var body: [UInt8]?
}

private final class ContinuationBox {
    let continuation: CheckedContinuation<Reply, any Error>
    init(_ continuation: CheckedContinuation<Reply, any Error>) { self.continuation = continuation }
}

/// The library's completion: copies what it is given and resumes the waiting `send`.
private let complete: URLSessionLibrary.Completion = { context, status, headers, body, count, kind, text in
    guard let context else { return }
    let box = Unmanaged<ContinuationBox>.fromOpaque(context).takeRetainedValue()
    if let kind {
        box.continuation.resume(throwing: URLSessionLibraryError(kind: String(cString: kind), text: text.map { String(cString: $0) } ?? ""))
        return
    }
    let bytes: [UInt8]? = count < 0 ? nil : (body.map { Array(UnsafeBufferPointer(start: $0, count: Int(count))) } ?? [])
    box.continuation.resume(returning: Reply(status: status, headers: headers.map { String(cString: $0) } ?? "", body: bytes))
}

/// A request's handle in the library, for cancelling it (a cancellation may come before the handle exists).
private final class PendingRequest: Sendable {
    private struct Handle: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }
    private let library: URLSessionLibrary
    private let state = Mutex<(handle: Handle?, cancelled: Bool)>((nil, false))

    init(library: URLSessionLibrary) { self.library = library }

    func started(_ pointer: UnsafeMutableRawPointer) {
        state.withLock { state in
            state.handle = Handle(pointer: pointer)
            if state.cancelled { library.cancel(pointer) }
        }
    }

    func cancel() {
        state.withLock { state in
            state.cancelled = true
            if let handle = state.handle { library.cancel(handle.pointer) }
        }
    }

    /// Releases the handle once the completion has run.
    func finish() {
        state.withLock { state in
            if let handle = state.handle { library.release(handle.pointer) }
            state.handle = nil
        }
    }
}
