import Foundation
import PlatformKit
import S3Staging

extension FakeS3 {
    /// `ListParts`: the upload's parts after `part-number-marker`, a page at a time.
    func listParts(_ request: FakeRequest, route: Route) async throws -> FakeResponse {
        guard let id = route.uploadID, let upload = await store.upload(id), upload.key == route.key else { throw noSuchUpload() }
        let marker = request.query("part-number-marker").flatMap(Int.init) ?? 0
        let all = upload.parts.values.sorted { $0.number < $1.number }.filter { $0.number > marker }
        let page = ListingPage(all, request, limit: "max-parts")
        let header = [
            ("Bucket", route.bucket), ("Key", XMLNode.escape(route.key)), ("UploadId", id), ("PartNumberMarker", "\(marker)"),
            ("MaxParts", "\(page.limit)"), ("IsTruncated", "\(page.truncated)"),
        ] + (upload.checksumAlgorithm.map { [("ChecksumAlgorithm", XMLNode.escape($0))] } ?? [])
        let entries = page.items.map { part in
            Self.element("Part", [
                ("PartNumber", "\(part.number)"), ("LastModified", Self.isoDate(part.lastModified)),
                ("ETag", XMLNode.escape(part.eTag)), ("Size", "\(part.size)"),
            ] + (part.checksum.map { [("Checksum" + XMLNode.escape($0.algorithm), XMLNode.escape($0.value))] } ?? []))
        }
        return Self.listing("ListPartsResult", header + page.next("NextPartNumberMarker") { "\($0.number)" }, entries: entries)
    }

    /// `ListObjectsV2`: the bucket's objects under `prefix` after the continuation token, a page at a time.
    func listObjects(_ request: FakeRequest, route: Route) async -> FakeResponse {
        let prefix = request.query("prefix") ?? ""
        let after = request.query("continuation-token") ?? request.query("start-after") ?? ""
        let all = await store.objects.values.filter { $0.bucket == route.bucket && $0.key.hasPrefix(prefix) && $0.key > after }
            .sorted { $0.key < $1.key }
        let page = ListingPage(all, request, limit: "max-keys")
        let header = [
            ("Name", route.bucket), ("Prefix", XMLNode.escape(prefix)), ("KeyCount", "\(page.items.count)"),
            ("MaxKeys", "\(page.limit)"), ("IsTruncated", "\(page.truncated)"),
        ]
        let entries = page.items.map { object in
            Self.element("Contents", [
                ("Key", XMLNode.escape(object.key)), ("LastModified", Self.isoDate(object.lastModified)),
                ("ETag", XMLNode.escape(object.eTag)), ("Size", "\(object.size)"), ("StorageClass", "STANDARD"),
            ])
        }
        let next = page.next("NextContinuationToken") { XMLNode.escape($0.key) }
        return Self.listing("ListBucketResult", header + next, entries: entries)
    }

    /// `ListMultipartUploads`: every unfinished upload under `prefix`, in one page.
    func listUploads(_ request: FakeRequest, route: Route) async -> FakeResponse {
        let prefix = request.query("prefix") ?? ""
        let uploads = await store.uploads.values.filter { $0.bucket == route.bucket && $0.key.hasPrefix(prefix) }
            .sorted { ($0.key, $0.initiated) < ($1.key, $1.initiated) }
        let header = [("Bucket", route.bucket), ("Prefix", XMLNode.escape(prefix)), ("MaxUploads", "1000"), ("IsTruncated", "false")]
        let entries = uploads.map { upload in
            Self.element("Upload", [
                ("Key", XMLNode.escape(upload.key)), ("UploadId", upload.uploadID),
                ("Initiated", Self.isoDate(upload.initiated)), ("StorageClass", "STANDARD"),
            ])
        }
        return Self.listing("ListMultipartUploadsResult", header, entries: entries)
    }

    /// `<Name>value</Name>` for each field in order (values already escaped).
    static func fields(_ fields: [(String, String)]) -> String {
        fields.map { "<\($0.0)>\($0.1)</\($0.0)>" }.joined()
    }

    /// One listing entry: `name` around `fields`.
    static func element(_ name: String, _ fields: [(String, String)]) -> String {
        "<\(name)>" + Self.fields(fields) + "</\(name)>"
    }

    /// A listing document: `root` in S3's namespace around the header `fields`, then the `entries`.
    static func listing(_ root: String, _ fields: [(String, String)], entries: [String]) -> FakeResponse {
        .xml(#"<\#(root) xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"# + Self.fields(fields) + entries.joined() + "</\(root)>")
    }
}

/// One page of a listing: at most the request's limit (`max-keys`, `max-parts`: 1000 when absent, never more).
struct ListingPage<Item> {
    /// The items on this page.
    var items: ArraySlice<Item>
    /// The limit applied.
    var limit: Int
    /// Whether more items follow.
    var truncated: Bool

    init(_ all: [Item], _ request: FakeRequest, limit parameter: String) {
        limit = min(request.query(parameter).flatMap(Int.init) ?? 1000, 1000)
        items = all.prefix(limit)
        truncated = all.count > items.count
    }

    /// The header field saying where the next page starts, when the page is truncated.
    func next(_ field: String, _ value: (Item) -> String) -> [(String, String)] {
        guard truncated, let last = items.last else { return [] }
        return [(field, value(last))]
    }
}
