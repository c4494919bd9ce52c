import Foundation
import HTTPTypes
import OpenAPIRuntime
import OpenAPIURLSession

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// The C entry points of the AtomURLSession library: swift-openapi-urlsession's `URLSessionTransport` behind
// functions that take and give only C strings, bytes and a C callback. atom loads this library (dlopen) only for
// ATOM_HTTP_TRANSPORT=urlsession, so that atom itself never links FoundationNetworking and libcurl. The library
// holds its own copies of OpenAPIRuntime and HTTPTypes, whose types are not atom's: none of them crosses here.
//
// Headers travel as "name: value" lines joined by "\n" (HTTP field values hold no line breaks). A body is a
// pointer and a count, -1 for no body at all; both sides collect a body into memory here (URLSession on Linux
// buffers every body anyway, and atom refuses request bodies over ATOM's buffered limit before they get here).

/// The version of these entry points; atom refuses a library with another.
public let atomURLSessionABIVersion: Int32 = 1

/// What `atom_urlsession_send` calls once, on any thread, with the response or an error:
/// `(context, status, header lines, body, body count or -1, error kind or nil, error text or nil)`. The pointers are
/// valid only during the call.
public typealias AtomURLSessionCompletion = @convention(c) (
    UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<UInt8>?, Int64, UnsafePointer<CChar>?, UnsafePointer<CChar>?
) -> Void

@_cdecl("atom_urlsession_abi_version")
public func atom_urlsession_abi_version() -> Int32 { atomURLSessionABIVersion }

/// A session with atom's timeouts (seconds); the caller closes it with `atom_urlsession_close`.
@_cdecl("atom_urlsession_open")
public func atom_urlsession_open(_ readTimeout: Double, _ requestTimeout: Double) -> UnsafeMutableRawPointer {
    let session = URLSessionFactory.make(readTimeout: readTimeout, requestTimeout: requestTimeout)
    return Unmanaged.passRetained(SessionBox(session)).toOpaque()
}

@_cdecl("atom_urlsession_close")
public func atom_urlsession_close(_ session: UnsafeMutableRawPointer) {
    let box = Unmanaged<SessionBox>.fromOpaque(session).takeRetainedValue()
    box.session.finishTasksAndInvalidate()
}

/// Sends one request: `baseURL` and `path` as swift-openapi-urlsession joins them; copies `body` before returning.
/// Returns the request's handle, for `atom_urlsession_cancel`; the caller releases it with `atom_urlsession_release`
/// once `completion` has run.
@_cdecl("atom_urlsession_send")
public func atom_urlsession_send(
    _ session: UnsafeMutableRawPointer, _ method: UnsafePointer<CChar>, _ baseURL: UnsafePointer<CChar>, _ path: UnsafePointer<CChar>,
    _ headerLines: UnsafePointer<CChar>, _ body: UnsafePointer<UInt8>?, _ bodyCount: Int64,
    _ context: UnsafeMutableRawPointer?, _ completion: AtomURLSessionCompletion
) -> UnsafeMutableRawPointer {
    let box = Unmanaged<SessionBox>.fromOpaque(session).takeUnretainedValue()
    let method = String(cString: method)
    let base = String(cString: baseURL)
    let path = String(cString: path)
    let lines = String(cString: headerLines)
    let bytes: Data? = bodyCount < 0 ? nil : (body.map { Data(bytes: $0, count: Int(bodyCount)) } ?? Data())
    let reply = Reply(context: context, completion: completion)
    let task = Task {
        do {
            guard let url = URL(string: base) else { throw InvalidRequest(text: "not a URL: \(base)") }
            var request = HTTPRequest(method: HTTPRequest.Method(method) ?? .get, scheme: nil, authority: nil, path: path)
            request.headerFields = HeaderLines.fields(lines)
            let transport = URLSessionTransport(configuration: .init(session: box.session))
            let (response, responseBody) = try await transport.send(
                request, body: bytes.map { HTTPBody($0) }, baseURL: url, operationID: "")
            let data: Data? = if let responseBody { try await Data(collecting: responseBody, upTo: .max) } else { nil }
            reply.respond(status: Int32(response.status.code), headers: HeaderLines.text(response.headerFields), body: data)
        } catch {
            reply.fail(kind: ErrorKind.of(error), text: String(describing: error))
        }
    }
    return Unmanaged.passRetained(RequestBox(task)).toOpaque()
}

@_cdecl("atom_urlsession_cancel")
public func atom_urlsession_cancel(_ request: UnsafeMutableRawPointer) {
    Unmanaged<RequestBox>.fromOpaque(request).takeUnretainedValue().task.cancel()
}

@_cdecl("atom_urlsession_release")
public func atom_urlsession_release(_ request: UnsafeMutableRawPointer) {
    Unmanaged<RequestBox>.fromOpaque(request).release()
}

private final class SessionBox: Sendable {
    let session: URLSession
    init(_ session: URLSession) { self.session = session }
}

private final class RequestBox: Sendable {
    let task: Task<Void, Never>
    init(_ task: Task<Void, Never>) { self.task = task }
}

/// The caller's completion and context (a C function and an opaque pointer: sendable by the contract above).
private struct Reply: @unchecked Sendable {
    let context: UnsafeMutableRawPointer?
    let completion: AtomURLSessionCompletion

    func respond(status: Int32, headers: String, body: Data?) {
        headers.withCString { headers in
            guard let body else { return completion(context, status, headers, nil, -1, nil, nil) }
            body.withUnsafeBytes { raw in
                completion(context, status, headers, raw.bindMemory(to: UInt8.self).baseAddress, Int64(raw.count), nil, nil)
            }
        }
    }

    func fail(kind: String, text: String) {
        kind.withCString { kind in text.withCString { text in completion(context, 0, nil, nil, -1, kind, text) } }
    }
}

private struct InvalidRequest: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}

/// "name: value" lines, to and from HTTP fields.
enum HeaderLines {
    static func text(_ fields: HTTPFields) -> String {
        fields.map { "\($0.name.rawName): \($0.value)" }.joined(separator: "\n")
    }

    static func fields(_ text: String) -> HTTPFields {
        var fields = HTTPFields()
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
            var value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            fields.append(HTTPField(name: name, value: String(value)))
        }
        return fields
    }
}

/// What atom's error mapping needs to know of an error, as a word (URLError's type exists only on this side).
enum ErrorKind {
    static func of(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        guard let error = error as? URLError else { return "other" }
        switch error.code {
        case .cancelled: return "cancelled"
        case .timedOut: return "timedOut"
        case .cannotConnectToHost: return "cannotConnectToHost"
        case .notConnectedToInternet: return "notConnectedToInternet"
        case .cannotFindHost, .dnsLookupFailed: return "cannotFindHost"
        case .networkConnectionLost: return "networkConnectionLost"
        default: return "other"
        }
    }
}

/// The entry points as C function pointers, for a binary that links this target instead of loading the library
/// (the tests). Taken here: converting a `@_cdecl` function to a C pointer in another module would define its C
/// symbol a second time there.
public enum AtomURLSessionEntryPoints {
    public static let open: @convention(c) (Double, Double) -> UnsafeMutableRawPointer = atom_urlsession_open
    public static let close: @convention(c) (UnsafeMutableRawPointer) -> Void = atom_urlsession_close
    public static let send: @convention(c) (
        UnsafeMutableRawPointer, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>,
        UnsafePointer<UInt8>?, Int64, UnsafeMutableRawPointer?, AtomURLSessionCompletion
    ) -> UnsafeMutableRawPointer = atom_urlsession_send
    public static let cancel: @convention(c) (UnsafeMutableRawPointer) -> Void = atom_urlsession_cancel
    public static let release: @convention(c) (UnsafeMutableRawPointer) -> Void = atom_urlsession_release
}
