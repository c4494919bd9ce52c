import Foundation
import Logging
import PublishingCore
import S3Staging

/// Builds the S3 stager from the credential chain (`nil` when `ATOM_S3_BUCKET` is unset).
enum Staging {
    static func makeStager(credentials: any CredentialStore, transport: any HTTPTransport, logger: Logger) throws -> (any MediaStager)? {
        try S3Stager.fromCredentials(credentials, transport: transport, environment: ProcessInfo.processInfo.environment, logger: logger)
    }

    /// The lifetime of the URLs `stager` hands out (`ATOM_S3_URL_TTL`), or `nil` for a stager atom did not build.
    static func urlLifetime(of stager: (any MediaStager)?) -> Duration? {
        (stager as? S3Stager)?.configuration.urlTTL
    }
}
