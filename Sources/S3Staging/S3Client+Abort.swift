import PublishingCore

extension S3Client {
    /// Aborts an upload and checks that it is gone, aborting again if not.
    ///
    /// S3's AbortMultipartUpload documentation: "if any part uploads are currently in progress, those part uploads might
    /// or might not succeed. As a result, it might be necessary to abort a given multipart upload multiple times in order
    /// to completely free all storage consumed by all parts." A cancelled upload's parts are exactly such parts, and the
    /// abort itself may meet a connection the cancellation just closed; so each abort is retried, then ListParts (which
    /// answers NoSuchUpload once the upload is gone) decides whether another round is needed.
    /// - Returns: Whether the upload is confirmed gone.
    @discardableResult
    func abortUntilGone(key: String, uploadID: String, retrier: Retrier, rounds: Int = 3) async -> Bool {
        for round in 1...max(1, rounds) {
            _ = try? await retrier.run { _ in try await abortMultipartUpload(key: key, uploadID: uploadID) }
            do {
                _ = try await listParts(key: key, uploadID: uploadID)
            } catch let error as PublishError where error.code == .notFound {
                return true
            } catch {
                return false  // cannot tell; the lifecycle rule and `atom staging clean` remain
            }
            try? await Task.sleep(for: .milliseconds(100 * round))
        }
        return false
    }
}
