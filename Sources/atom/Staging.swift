import Logging
import PublishingCore

/// Builds the S3 stager from the credential chain.
enum Staging {
    static func makeStager(credentials: any CredentialStore, transport: any HTTPTransport, logger: Logger) throws -> (any MediaStager)? {
        nil
    }
}
