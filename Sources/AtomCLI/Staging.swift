import Foundation
import Logging
import OpenAPIRuntime
import PublishingCore
import S3Staging

/// Builds the S3 stager from the credential chain (`nil` when `ATOM_S3_BUCKET` is unset).
enum Staging {
    /// - Parameter environment: The app's one environment (under `--sandbox`, with every real key removed), never the
    ///   raw process environment.
    static func makeStager(
        credentials: any CredentialStore, environment: [String: String], transport: any HTTPTransport, logger: Logger
    ) throws -> (any MediaStager)? {
        try S3Stager.fromCredentials(credentials, transport: transport, environment: environment, logger: logger)
    }
}
