import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// URLSession as atom wants it: no redirects followed, no cookies or cache, atom's timeouts (seconds).
enum URLSessionFactory {
    static func make(readTimeout: Double, requestTimeout: Double) -> URLSession {
        let settings = URLSessionConfiguration.ephemeral
        settings.timeoutIntervalForRequest = readTimeout
        settings.timeoutIntervalForResource = requestTimeout
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
