import Foundation
import Logging
import PublishingCore
import S3Staging

/// Builds the S3 stager from the credential chain (`nil` when `ATOM_S3_BUCKET` is unset).
enum Staging {
    static func makeStager(credentials: any CredentialStore, transport: any HTTPTransport, logger: Logger) throws -> (any MediaStager)? {
        try S3Stager.fromCredentials(credentials, transport: transport, environment: ProcessInfo.processInfo.environment, logger: logger)
    }
}
