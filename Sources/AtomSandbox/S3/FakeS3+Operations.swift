import Crypto
import Foundation
import NIOCore
import PlatformKit
import PublishingCore
import S3Staging

extension FakeS3 {
    /// S3's smallest part except the last.
    static let minimumPartSize: Int64 = 5 << 20

    func serve(_ request: FakeRequest, route: Route) async throws -> FakeResponse {
        guard !route.bucket.isEmpty else { throw FakeS3Failure(501, "NotImplemented", "ListBuckets is not implemented by the fake") }
        guard await store.hasBucket(route.bucket) else {
            throw FakeS3Failure(404, "NoSuchBucket", "The specified bucket does not exist", extra: [("BucketName", route.bucket)])
        }
        if let action = await store.takeFault(operation: route.operation, partNumber: route.partNumber) {
            switch action {
            case .drop:
                _ = try await request.body.consume(limit: 64 * 1024) { _ in }
                return .dropConnection
            case .error(let status, let code, let message):
                throw FakeS3Failure(status, code, message)
            case .errorIn200(let code, let message):
                let failure = FakeS3Failure(200, code, message)
                return failure.response
            }
        }
        switch route.operation {
        case "PutObject": return try await putObject(request, route: route)
        case "HeadObject", "GetObject": return try await getObject(request, route: route)
        case "DeleteObject":
            await store.deleteObject(bucket: route.bucket, key: route.key)
            return FakeResponse(status: 204)
        case "CreateMultipartUpload": return await createUpload(request, route: route)
        case "UploadPart": return try await uploadPart(request, route: route)
        case "ListParts": return try await listParts(request, route: route)
        case "CompleteMultipartUpload": return try await complete(request, route: route)
        case "AbortMultipartUpload":
            guard let id = route.uploadID, let upload = await store.upload(id), upload.key == route.key else { throw noSuchUpload() }
            await store.removeUpload(id)
            return FakeResponse(status: 204)
        case "ListObjectsV2": return await listObjects(request, route: route)
        case "ListMultipartUploads": return await listUploads(request, route: route)
        default: throw FakeS3Failure(501, "NotImplemented", "A header or query you provided implies functionality that is not implemented")
        }
    }

    // MARK: Objects

    private func putObject(_ request: FakeRequest, route: Route) async throws -> FakeResponse {
        guard request.contentLength != nil else { throw FakeS3Failure(411, "MissingContentLength", "You must provide the Content-Length HTTP header.") }
        let path = await store.newPath("object")
        let sse = request.header("x-amz-server-side-encryption")
        let framing = try FakeS3BodyFraming(request)
        let written = try await receive(request, into: path, framing: framing, eTagIsMD5: Self.eTagIsMD5(sse))
        if written.size > 5 << 30 { throw FakeS3Failure(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size") }
        let eTag = "\"\(FileDigest.hex(written.eTag))\""
        await store.put(FakeS3Object(
            bucket: route.bucket, key: route.key, size: written.size, sha256: written.sha256, eTag: eTag, contentType: request.header("Content-Type"),
            serverSideEncryption: sse, lastModified: now(), isMultipart: false,
            files: [FakeS3StoredFile(path: path, size: written.size)]))
        return FakeResponse(status: 200, headers: [("ETag", eTag)] + sseHeader(sse) + Self.checksumHeader(written.checksum))
    }

    private func getObject(_ request: FakeRequest, route: Route) async throws -> FakeResponse {
        guard let object = await store.object(bucket: route.bucket, key: route.key) else {
            if request.method == "HEAD" { throw FakeS3Failure(response: FakeResponse(status: 404)) }
            throw FakeS3Failure(404, "NoSuchKey", "The specified key does not exist.", extra: [("Key", route.key)])
        }
        var headers: [(String, String)] = [
            ("ETag", object.eTag), ("Accept-Ranges", "bytes"), ("Content-Type", object.contentType ?? "binary/octet-stream"),
            ("Last-Modified", Self.httpDate(object.lastModified)),
        ] + sseHeader(object.serverSideEncryption)
        if request.method == "GET", let rangeHeader = request.header("Range") {
            guard let range = Self.parseRange(rangeHeader, size: object.size) else {
                throw FakeS3Failure(416, "InvalidRange", "The requested range is not satisfiable", extra: [("ActualObjectSize", String(object.size))])
            }
            headers.append(("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(object.size)"))
            return FakeResponse(status: 206, headers: headers, body: .files(object.slices(in: range)))
        }
        // HEAD answers the same headers (Content-Length included) without sending the body.
        return FakeResponse(status: 200, headers: headers, body: .files(object.slices(in: 0..<object.size)))
    }

    // MARK: Multipart

    private func createUpload(_ request: FakeRequest, route: Route) async -> FakeResponse {
        let id = "fake-upload-" + UUID().uuidString.lowercased()
        await store.addUpload(FakeS3Upload(
            bucket: route.bucket, key: route.key, uploadID: id, initiated: now(), parts: [:], contentType: request.header("Content-Type"),
            serverSideEncryption: request.header("x-amz-server-side-encryption"),
            checksumAlgorithm: request.header("x-amz-checksum-algorithm")?.uppercased()))
        return .xml("""
            <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>\(route.bucket)</Bucket>\
            <Key>\(XMLNode.escape(route.key))</Key><UploadId>\(id)</UploadId></InitiateMultipartUploadResult>
            """, headers: sseHeader(request.header("x-amz-server-side-encryption")))
    }

    private func uploadPart(_ request: FakeRequest, route: Route) async throws -> FakeResponse {
        guard let number = route.partNumber, (1...10_000).contains(number) else {
            throw FakeS3Failure(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
        }
        guard let id = route.uploadID, let upload = await store.upload(id), upload.key == route.key else { throw noSuchUpload() }
        guard request.contentLength != nil else { throw FakeS3Failure(411, "MissingContentLength", "You must provide the Content-Length HTTP header.") }
        // As S3: an upload created with a checksum algorithm takes only parts that carry a checksum of it
        // (floci-io/floci#3093 quotes S3's answer). One created without took no checksummed part in 2024
        // (apache/arrow-rs#6793); S3 now may take the part and refuse the completion instead (aws/aws-sdk-go-v2#3005).
        // Either way such an upload cannot complete; the fake refuses at the part, and atom sends neither.
        let framing = try FakeS3BodyFraming(request)
        guard framing.algorithm == upload.checksumAlgorithm else {
            throw FakeS3Failure(400, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: "
                                + "\(upload.checksumAlgorithm?.lowercased() ?? "null"), actual checksum Type: \(framing.algorithm?.lowercased() ?? "null")")
        }
        let path = await store.newPath("part-\(number)")
        let written = try await receive(request, into: path, framing: framing, eTagIsMD5: Self.eTagIsMD5(upload.serverSideEncryption))
        if written.size > 5 << 30 { throw FakeS3Failure(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size") }
        let eTag = "\"\(FileDigest.hex(written.eTag))\""
        let part = FakeS3Part(
            number: number, size: written.size, eTag: eTag, digest: written.eTag, path: path, lastModified: now(), checksum: written.checksum)
        guard await store.addPart(part, to: id) else { throw noSuchUpload() }
        return FakeResponse(status: 200, headers: [("ETag", eTag)] + Self.checksumHeader(written.checksum))
    }

    private func complete(_ request: FakeRequest, route: Route) async throws -> FakeResponse {
        guard let id = route.uploadID, let upload = await store.upload(id), upload.key == route.key else { throw noSuchUpload() }
        let body = try await request.body.collect(upTo: 4 << 20)
        guard let document = XMLNode.parse(body), document.name == "CompleteMultipartUpload" else {
            throw FakeS3Failure(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
        }
        let algorithm = upload.checksumAlgorithm
        let listed = document.children("Part").map { element in
            (element.value("PartNumber").flatMap(Int.init) ?? 0, element.value("ETag") ?? "", algorithm.flatMap { element.value("Checksum" + $0) })
        }
        guard !listed.isEmpty else {
            throw FakeS3Failure(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
        }
        for index in listed.indices.dropFirst() where listed[index].0 <= listed[index - 1].0 {
            throw FakeS3Failure(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
        }
        var parts: [FakeS3Part] = []
        for (number, eTag, checksum) in listed {
            if let algorithm, checksum == nil {
                throw FakeS3Failure(400, "InvalidRequest", "The upload was created using a \(algorithm.lowercased()) checksum. The complete request "
                                    + "must include the checksum for each part. It was missing for part \(number) in the request.")
            }
            guard let part = upload.parts[number], Self.unquoted(part.eTag) == Self.unquoted(eTag), checksum == part.checksum?.value else {
                throw invalidPart(number)
            }
            parts.append(part)
        }
        for part in parts.dropLast() where part.size < Self.minimumPartSize {
            throw FakeS3Failure(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
                                extra: [("PartNumber", String(part.number)), ("ProposedSize", String(part.size)), ("MinSizeAllowed", String(Self.minimumPartSize))])
        }
        // As in S3, completing is metadata only: the object keeps the part files, and no byte is read again.
        let eTag = "\"\(FileDigest.hex(Insecure.MD5.hash(data: parts.flatMap(\.digest))))-\(parts.count)\""
        let files = parts.map { FakeS3StoredFile(path: $0.path, size: $0.size) }
        let object = FakeS3Object(
            bucket: route.bucket, key: route.key, size: files.reduce(0) { $0 + $1.size }, sha256: nil, eTag: eTag, contentType: upload.contentType,
            serverSideEncryption: upload.serverSideEncryption, lastModified: now(), isMultipart: true, files: files)
        switch await store.complete(id, parts: parts, as: object) {
        case .completed: break
        case .uploadGone: throw noSuchUpload()
        case .partReplaced(let number): throw invalidPart(number)
        }
        return .xml("""
            <CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>\(request.baseURL)/\(route.bucket)/\
            \(XMLNode.escape(route.key))</Location><Bucket>\(route.bucket)</Bucket><Key>\(XMLNode.escape(route.key))</Key>\
            <ETag>\(XMLNode.escape(eTag))</ETag></CompleteMultipartUploadResult>
            """, headers: sseHeader(upload.serverSideEncryption))
    }

    // MARK: Helpers

    func noSuchUpload() -> FakeS3Failure {
        FakeS3Failure(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
    }

    func invalidPart(_ number: Int) -> FakeS3Failure {
        FakeS3Failure(400, "InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, "
                      + "or the specified entity tag may not match the part's entity tag.", extra: [("PartNumber", String(number))])
    }

    func sseHeader(_ value: String?) -> [(String, String)] { value.map { [("x-amz-server-side-encryption", $0)] } ?? [] }

    /// The checksum header S3 answers an upload that carried one with (`x-amz-checksum-crc32c: …`).
    static func checksumHeader(_ checksum: FakeS3Checksum?) -> [(String, String)] { checksum.map { [($0.headerName, $0.value)] } ?? [] }

    /// `bytes=a-b`, `bytes=a-`, `bytes=-n` against an object of `size` bytes.
    static func parseRange(_ header: String, size: Int64) -> Range<Int64>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty {
            guard let suffix = Int64(spec[1]), suffix > 0, size > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int64(spec[0]), start < size else { return nil }
        let end = spec[1].isEmpty ? size - 1 : min(Int64(spec[1]) ?? -1, size - 1)
        guard end >= start else { return nil }
        return start..<(end + 1)
    }

    static func unquoted(_ eTag: String) -> String { eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }


    static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
