import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// URLSession as atom wants it: no redirects followed, no cookies or cache, atom's timeouts.
enum URLSessionFactory {
    /// Whether swift-openapi-urlsession streams request bodies here. It does only on Apple platforms; on Linux
    /// it collects each body into memory before sending (its `bufferedRequest`), and buffers responses too.
    static var streamsRequestBodies: Bool {
        #if canImport(Darwin)
        true
        #else
        false
        #endif
    }

    static func make(_ configuration: TransportConfiguration) -> URLSession {
        let settings = URLSessionConfiguration.ephemeral
        settings.timeoutIntervalForRequest = configuration.readTimeout.timeInterval
        settings.timeoutIntervalForResource = configuration.requestTimeout.timeInterval
        settings.httpCookieStorage = nil
        settings.urlCache = nil
        settings.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: settings, delegate: NoRedirects(), delegateQueue: nil)
    }
}

/// Refuses every redirect: the platform's 3xx reaches the adapter, as with AsyncHTTPClient (`.disallow`).
private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
