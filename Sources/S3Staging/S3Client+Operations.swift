import Crypto
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// An object's size and ETag, from `HEAD`.
struct S3ObjectHead: Sendable, Equatable {
    var size: Int64
    var eTag: String?
}

/// A part S3 has (from `ListParts`) or that atom uploaded.
struct S3Part: Sendable, Equatable, Codable {
    var number: Int
    var eTag: String
    var size: Int64?
    /// Its CRC-32C (base64), when the upload carries checksums: `CompleteMultipartUpload` must list it.
    var checksumCRC32C: String?
}

extension S3Client {
    // MARK: Objects

    /// `HEAD /key`: the object's size, or `nil` when it does not exist (404) or cannot be seen (403
    /// without `s3:ListBucket`; the upload that follows reports the real problem).
    func head(key: String) async throws -> S3ObjectHead? {
        let (response, body) = try await send("s3.head", method: .head, path: addressing.path(forKey: key), accepting: [403, 404])
        await drain(body)
        guard (200..<300).contains(response.status.code) else { return nil }
        let size = response.headerFields[.contentLength].flatMap { Int64($0) } ?? -1
        return S3ObjectHead(size: size, eTag: response.headerFields[.eTag])
    }

    /// `PUT /key` with the payload streamed (and its checksum checked against the one S3 echoes).
    @discardableResult
    func putObject(key: String, payload: S3Payload, contentType: String) async throws -> String? {
        var headers = [("content-type", contentType)]
        if let sse = configuration.serverSideEncryption { headers.append(("x-amz-server-side-encryption", sse.headerValue)) }
        let operation = "s3.put"
        let (response, responseBody) = try await send(
            operation, method: .put, path: addressing.path(forKey: key), headers: headers + payload.headers, body: payload.body,
            payloadHash: payload.payloadHash)
        await drain(responseBody)
        _ = try payload.confirmedChecksum(response, operationID: operation)
        return response.headerFields[.eTag]
    }

    /// `DELETE /key`; a missing object counts as deleted.
    func deleteObject(key: String) async throws {
        let (_, body) = try await send("s3.delete", method: .delete, path: addressing.path(forKey: key), accepting: [404])
        await drain(body)
    }

    /// A presigned `GET` URL for `key`, valid `seconds` from `date`.
    func presignedGetURL(key: String, seconds: Int, date: Date) throws -> URL {
        let path = addressing.path(forKey: key)
        let query = signer.presignedQuery(
            for: SigV4Signer.Request(method: "GET", path: path, headers: [("host", addressing.host)]), expires: seconds, date: date)
        guard let url = addressing.url(path: path, query: query) else {
            throw PublishError(.configuration, platform: .staging, message: "cannot build a URL for key \(key)")
        }
        return url
    }

    // MARK: Multipart

    /// `POST /key?uploads`: starts a multipart upload and returns its id.
    /// - Parameter checksums: Whether every part will carry a CRC-32C (S3 then requires one on each part and in
    ///   `CompleteMultipartUpload`).
    func createMultipartUpload(key: String, contentType: String, checksums: Bool = false) async throws -> String {
        var headers = [("content-type", contentType)]
        if let sse = configuration.serverSideEncryption { headers.append(("x-amz-server-side-encryption", sse.headerValue)) }
        if checksums { headers.append(("x-amz-checksum-algorithm", S3Payload.algorithm)) }
        let operation = "s3.multipart.create"
        let (response, body) = try await send(operation, method: .post, path: addressing.path(forKey: key), query: [("uploads", "")], headers: headers)
        let document = try await self.document(body, status: response.status.code, headers: response.headerFields, operationID: operation)
        guard let uploadID = document?.value("UploadId"), !uploadID.isEmpty else {
            throw PublishError(.protocolViolation, platform: .staging, operationID: operation, message: "S3 answered without an UploadId")
        }
        return uploadID
    }

    /// `PUT /key?partNumber=N&uploadId=ID` with the payload streamed; returns the part's ETag (quotes kept) and its
    /// CRC-32C when the payload carried one.
    func uploadPart(key: String, uploadID: String, number: Int, payload: S3Payload) async throws -> (eTag: String, checksum: String?) {
        let operation = "s3.multipart.part"
        let (response, responseBody) = try await send(
            operation, method: .put, path: addressing.path(forKey: key),
            query: [("partNumber", String(number)), ("uploadId", uploadID)], headers: payload.headers, body: payload.body,
            payloadHash: payload.payloadHash)
        await drain(responseBody)
        guard let eTag = response.headerFields[.eTag], !eTag.isEmpty else {
            throw PublishError(.protocolViolation, platform: .staging, operationID: operation, message: "S3 answered part \(number) without an ETag",
                               retryable: true)
        }
        return (eTag, try payload.confirmedChecksum(response, operationID: operation))
    }

    /// `GET /key?uploadId=ID`: every part S3 holds for the upload (all pages).
    func listParts(key: String, uploadID: String) async throws -> [S3Part] {
        let operation = "s3.multipart.list-parts"
        var parts: [S3Part] = []
        var marker: String?
        repeat {
            var query = [("uploadId", uploadID), ("max-parts", "1000")]
            if let marker { query.append(("part-number-marker", marker)) }
            let (response, body) = try await send(operation, method: .get, path: addressing.path(forKey: key), query: query)
            let document = try await self.document(body, status: response.status.code, headers: response.headerFields, operationID: operation)
            for part in document?.children("Part") ?? [] {
                guard let number = part.value("PartNumber").flatMap(Int.init), let eTag = part.value("ETag") else { continue }
                parts.append(S3Part(
                    number: number, eTag: eTag, size: part.value("Size").flatMap { Int64($0) }, checksumCRC32C: part.value("ChecksumCRC32C")))
            }
            let truncated = document?.value("IsTruncated") == "true"
            let next = document?.value("NextPartNumberMarker")
            marker = truncated && next != nil && next != marker ? next : nil
        } while marker != nil
        return parts
    }

    /// `POST /key?uploadId=ID` with the parts list; checks the body for an `<Error>` even on 200.
    func completeMultipartUpload(key: String, uploadID: String, parts: [S3Part]) async throws {
        let operation = "s3.multipart.complete"
        var xml = #"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
        for part in parts.sorted(by: { $0.number < $1.number }) {
            let checksum = part.checksumCRC32C.map { "<ChecksumCRC32C>\(XMLNode.escape($0))</ChecksumCRC32C>" } ?? ""
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(XMLNode.escape(part.eTag))</ETag>\(checksum)</Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let bytes = Array(xml.utf8)
        let (response, body) = try await send(
            operation, method: .post, path: addressing.path(forKey: key), query: [("uploadId", uploadID)],
            headers: [("content-type", "application/xml")], body: HTTPBody(bytes), payloadHash: FileDigest.hex(SHA256.hash(data: bytes)))
        let document = try await self.document(body, status: response.status.code, headers: response.headerFields, operationID: operation)
        // S3 answers <CompleteMultipartUploadResult> (moto: <CompleteMultipartUploadResponse>); an <Error> was thrown above.
        _ = document
    }

    /// `DELETE /key?uploadId=ID`; an upload already gone counts as aborted.
    func abortMultipartUpload(key: String, uploadID: String) async throws {
        let (_, body) = try await send("s3.multipart.abort", method: .delete, path: addressing.path(forKey: key),
                                       query: [("uploadId", uploadID)], accepting: [404])
        await drain(body)
    }

    // MARK: Listings

    /// `GET /?list-type=2&prefix=P`: every object under `prefix` (all pages).
    func listObjects(prefix: String) async throws -> [S3StagedObjectSummary] {
        let operation = "s3.list-objects"
        var objects: [S3StagedObjectSummary] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let (response, body) = try await send(operation, method: .get, path: addressing.bucketRequestPath, query: query)
            let document = try await self.document(body, status: response.status.code, headers: response.headerFields, operationID: operation)
            for item in document?.children("Contents") ?? [] {
                guard let key = item.value("Key") else { continue }
                objects.append(S3StagedObjectSummary(
                    key: key, size: item.value("Size").flatMap { Int64($0) } ?? 0, lastModified: item.value("LastModified").flatMap(ISO8601Text.parse)))
            }
            token = document?.value("IsTruncated") == "true" ? document?.value("NextContinuationToken") : nil
        } while token != nil
        return objects
    }

    /// `GET /?uploads&prefix=P`: every unfinished multipart upload under `prefix` (all pages).
    func listMultipartUploads(prefix: String) async throws -> [S3PendingUpload] {
        let operation = "s3.list-uploads"
        var uploads: [S3PendingUpload] = []
        var markers: (key: String, id: String)?
        repeat {
            var query = [("uploads", ""), ("prefix", prefix)]
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.id)] }
            let (response, body) = try await send(operation, method: .get, path: addressing.bucketRequestPath, query: query)
            let document = try await self.document(body, status: response.status.code, headers: response.headerFields, operationID: operation)
            for item in document?.children("Upload") ?? [] {
                guard let key = item.value("Key"), let id = item.value("UploadId") else { continue }
                uploads.append(S3PendingUpload(key: key, uploadID: id, initiated: item.value("Initiated").flatMap(ISO8601Text.parse)))
            }
            if document?.value("IsTruncated") == "true", let key = document?.value("NextKeyMarker"), let id = document?.value("NextUploadIdMarker"),
               markers.map({ $0.key != key || $0.id != id }) ?? true {
                markers = (key, id)
            } else {
                markers = nil
            }
        } while markers != nil
        return uploads
    }
}

