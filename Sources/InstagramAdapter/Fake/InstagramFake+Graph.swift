import Foundation
import PlatformKit
import PublishingCore

extension InstagramFake {
    /// The Graph parameters a Reels container takes (anything else is refused, so typos surface).
    static let containerFields: Set<String> = [
        "media_type", "video_url", "upload_type", "caption", "share_to_feed", "cover_url", "thumb_offset",
        "collaborators",
        "location_id", "audio_name", "user_tags",
    ]

    /// Answers the Graph API (both hosts) and, on the Instagram Login host, `refresh_access_token`.
    nonisolated func handleGraph(_ request: FakeRequest, mount: InstagramFakeService.Mount) async throws
        -> FakeResponse?
    {
        let segments = request.path.split(separator: "/").map(String.init)
        let shared = mount == .graph
        if mount == .instagramLogin, segments == ["refresh_access_token"] {
            return await refresh(request)
        }
        // The long-lived exchange (`ig_exchange_token`) is ``FakeInstagramLogin``'s: it issued the short-lived token.
        if mount == .instagramLogin, segments == ["access_token"] { return nil }
        guard (2...3).contains(segments.count), Self.isVersion(segments[0]) else {
            if shared { return nil }
            return Self.graphError(
                400, code: 100, message: "Unknown path components: \(request.path)", trace: await nextTraceID())
        }
        // `/me` on the Instagram Login host is the token's own account (`atom auth instagram` reads `user_id` there).
        let id = mount == .instagramLogin && segments[1] == "me" ? userID : segments[1]
        let edge = segments.count == 3 ? segments[2] : nil
        // Decide ownership from the path alone, before touching the body.
        guard await owns(id) else {
            if shared { return nil }
            return Self.graphError(
                400, code: 100, subcode: 33,
                message:
                    "Unsupported \(request.method.lowercased()) request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation",
                trace: await nextTraceID())
        }
        let auth = Self.credentials(of: request)
        await record(
            Request(
                mount: mount.rawValue, method: request.method, path: request.path, authScheme: auth.scheme,
                tokenInURL: auth.inURL))
        if let fault = await takeGraphFault() { return fault }
        let scheme = auth.scheme?.lowercased()
        if let failure = await authFailure(
            token: scheme == nil || scheme == "bearer" || scheme == "oauth" ? auth.token : nil, mount: mount)
        {
            return failure
        }
        if let required = apiVersion, segments[0] != required {
            return Self.graphError(
                400, code: 100, message: "Unsupported API version \(segments[0]) (this sandbox serves \(required))",
                trace: await nextTraceID())
        }
        let login = mount == .graph ? "facebook" : "instagram"
        switch (request.method, id == userID, edge) {
        case ("POST", true, "media"?):
            return try await createContainer(request, version: segments[0], login: login)
        case ("POST", true, "media_publish"?):
            return try await publishContainer(request)
        case ("GET", true, "content_publishing_limit"?):
            return await publishingLimit(request)
        case ("GET", _, nil):
            return await read(id, fields: request.query("fields"))
        default:
            return Self.graphError(
                400, code: 100, message: "Unsupported \(request.method.lowercased()) request to \(request.path)",
                trace: await nextTraceID())
        }
    }

    /// The rate-limit or server fault due on this request, if any.
    func takeGraphFault() -> FakeResponse? {
        if serverErrors > 0 {
            serverErrors -= 1
            return Self.graphError(
                500, code: 2, message: "An unexpected error has occurred. Please retry your request later.",
                transient: true, trace: nextTraceID())
        }
        guard !rateLimits.isEmpty else { return nil }
        let limit = rateLimits.removeFirst()
        if limit.code == 4 {
            return Self.graphError(
                400, code: 4, message: "(#4) Application request limit reached", transient: true, trace: nextTraceID(),
                headers: [("X-App-Usage", #"{"call_count":100,"total_cputime":20,"total_time":25}"#)])
        }
        let usage =
            #"{"\#(userID)":[{"type":"instagram","call_count":100,"total_cputime":12,"total_time":15,"estimated_time_to_regain_access":\#(limit.regainMinutes)}]}"#
        return Self.graphError(
            400, code: limit.code,
            message:
                "(#\(limit.code)) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            transient: true, trace: nextTraceID(), headers: [("X-Business-Use-Case-Usage", usage)])
    }

    /// A 190 error when `token` is missing, unknown or expired, or of the other API setup's shape.
    ///
    /// As on Meta's hosts, graph.instagram.com cannot parse a Facebook Login token (`EAA…`) and graph.facebook.com
    /// cannot parse an Instagram Login token (`IG…`): both answer 190 "Cannot parse access token".
    func authFailure(token: String?, mount: InstagramFakeService.Mount? = nil) -> FakeResponse? {
        if let token, let mount,
            (mount == .instagramLogin && token.hasPrefix("EAA")) || (mount == .graph && token.hasPrefix("IG"))
        {
            return Self.graphError(
                400, code: 190, message: "Invalid OAuth access token - Cannot parse access token", trace: nextTraceID())
        }
        guard let token, !token.isEmpty else {
            return Self.graphError(
                400, code: 190,
                message: "An active access token must be used to query information about the current user.",
                trace: nextTraceID())
        }
        if validTokens.contains(token), tokensExpired {
            return Self.graphError(
                400, code: 190, subcode: 463,
                message: "Error validating access token: Session has expired on Tuesday, 01-Sep-26 10:00:00 PDT.",
                trace: nextTraceID())
        }
        guard validTokens.contains(token) else {
            return Self.graphError(
                400, code: 190, message: "Invalid OAuth access token - Cannot parse access token", trace: nextTraceID())
        }
        return nil
    }

    /// The request's parameters: the query, then a form or JSON body (the body wins).
    nonisolated static func parameters(of request: FakeRequest) async throws -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in request.queryItems { fields[key] = value }
        let type = request.header("Content-Type")?.lowercased() ?? ""
        if type.hasPrefix("application/json") {
            if case .object(let object) = try await request.jsonBody() {
                for (key, value) in object {
                    switch value {
                    case .string(let text): fields[key] = text
                    case .bool(let flag): fields[key] = flag ? "true" : "false"
                    case .number(let number):
                        fields[key] = number.rounded() == number ? String(Int64(number)) : String(number)
                    default:
                        let data = (try? JSONEncoder().encode(value)) ?? Data()
                        fields[key] = String(decoding: data, as: UTF8.self)
                    }
                }
            }
        } else {
            for (key, value) in try await request.formFields() { fields[key] = value }
        }
        fields["access_token"] = nil
        return fields
    }

    // MARK: Containers

    nonisolated func createContainer(_ request: FakeRequest, version: String, login: String) async throws
        -> FakeResponse
    {
        let fields = try await Self.parameters(of: request)
        if let problem = Self.containerProblem(fields, login: login) {
            return Self.graphError(
                400, code: 100, subcode: problem.subcode, message: problem.message, userMessage: problem.userMessage,
                trace: await nextTraceID())
        }
        let resumable = fields["upload_type"] == "resumable"
        let id = await addContainer(fields: fields, version: version, login: login, resumable: resumable)
        // Like Meta, fetch cover_url with the container; a bad cover fails the container's processing.
        if let cover = fields["cover_url"] { await finishCover(id, await Self.downloadCover(cover)) }
        if resumable {
            var root = request.baseURL
            for mount in [InstagramFakeService.Mount.graph, .instagramLogin] where root.hasSuffix(mount.rawValue) {
                root = String(root.dropLast(mount.rawValue.count))
            }
            let uri = "\(root)\(InstagramFakeService.Mount.rupload.rawValue)/ig-api-upload/\(version)/\(id)"
            return .json(200, .object(["id": .string(id), "uri": .string(uri)]))
        }
        // Like Meta, fetch video_url now (the container answers IN_PROGRESS meanwhile).
        let outcome = await Self.download(fields["video_url"] ?? "")
        await finishDownload(id, outcome)
        return .json(200, .object(["id": .string(id)]))
    }

    /// Why a container request is refused, checked the way Meta documents the fields.
    nonisolated static func containerProblem(_ fields: [String: String], login: String) -> (
        subcode: Int?, message: String, userMessage: String?
    )? {
        for key in fields.keys.sorted() where !containerFields.contains(key) {
            return (nil, "(#100) Param \(key) is not a valid parameter for a Reels container", nil)
        }
        guard let type = fields["media_type"] else { return (nil, "The parameter media_type is required.", nil) }
        guard type == "REELS" else {
            return (nil, "(#100) media_type \(type) is not served by this sandbox (REELS only)", nil)
        }
        let resumable = fields["upload_type"] == "resumable"
        if let upload = fields["upload_type"], upload != "resumable" {
            return (nil, "(#100) upload_type must be resumable", nil)
        }
        if resumable {
            // rupload is Facebook Login only; on graph.instagram.com Meta answers as if video_url were missing.
            if login == "instagram" { return (nil, "The parameter video_url is required.", nil) }
            if fields["video_url"] != nil {
                return (nil, "(#100) video_url cannot be combined with upload_type=resumable", nil)
            }
        } else {
            guard let raw = fields["video_url"], !raw.isEmpty else {
                return (nil, "The parameter video_url is required.", nil)
            }
            guard raw.allSatisfy(\.isASCII), let url = URL(string: raw),
                ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
            else {
                return (
                    2207052,
                    "The media could not be fetched from this URI: \(Redaction.displayURL(URL(string: raw) ?? URL(fileURLWithPath: "/")))",
                    "The video URL must be a public http(s) URL made of US-ASCII characters."
                )
            }
        }
        if let caption = fields["caption"] {
            if caption.count > 2200 {
                return (
                    2207010, "The caption is too long: \(caption.count) characters (limit 2200).",
                    "Captions can be up to 2,200 characters."
                )
            }
            let tags = Validation.hashtags(in: caption).count
            if tags > 30 {
                return (2207010, "The caption has \(tags) hashtags (limit 30).", "Captions can have up to 30 hashtags.")
            }
            let mentions = Validation.mentions(in: caption).count
            if mentions > 20 {
                return (
                    2207010, "The caption has \(mentions) mentions (limit 20).", "Captions can have up to 20 @mentions."
                )
            }
        }
        if let share = fields["share_to_feed"], share != "true", share != "false" {
            return (nil, "(#100) Param share_to_feed must be a boolean", nil)
        }
        if let offset = fields["thumb_offset"], Int(offset).map({ $0 < 0 }) ?? true {
            return (nil, "(#100) Param thumb_offset must be a non-negative integer (milliseconds)", nil)
        }
        if let raw = fields["collaborators"] {
            guard let names = try? JSONDecoder().decode([String].self, from: Data(raw.utf8)) else {
                return (nil, "(#100) Param collaborators must be a JSON array of usernames", nil)
            }
            if names.count > 3 { return (nil, "(#100) A Reel can have up to 3 collaborators", nil) }
            if let bad = names.first(where: { name in
                !(1...30).contains(name.count)
                    || !name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") }
            }) {
                return (nil, "(#100) '\(bad)' is not a valid Instagram username", nil)
            }
        }
        if let location = fields["location_id"] {
            if login == "instagram" { return (nil, "(#100) location_id is not supported with Instagram Login", nil) }
            if location.isEmpty || !location.allSatisfy({ $0.isASCII && $0.isNumber }) {
                return (nil, "(#100) Param location_id must be a numeric id", nil)
            }
        }
        if let cover = fields["cover_url"],
            URL(string: cover)?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true
        {
            return (nil, "(#100) Param cover_url must be a URL", nil)
        }
        return nil
    }

    func addContainer(fields: [String: String], version: String, login: String, resumable: Bool) -> String {
        sequence += 1
        let id = String(format: "179%014d", sequence)
        var container = Container(id: id, fields: fields, version: version, login: login, resumable: resumable)
        container.pendingPolls = slowPolls
        container.failure = processingFailure
        container.expired = expireNew
        containers[id] = container
        containerOrder.append(id)
        return id
    }

    func finishDownload(_ id: String, _ outcome: DownloadOutcome) {
        guard var container = containers[id] else { return }
        switch outcome {
        case .fetched(let sha256, let count, let isMP4):
            container.sha256 = sha256
            container.byteCount = count
            if !isMP4 {
                container.failure = "ERROR: The video format is not supported. Use an MP4 or MOV file (2207026)."
            }
        case .failed(let reason):
            container.failure = reason
        }
        containers[id] = container
    }

    /// `GET /{id}?fields=…` for a container, a media object or the account. Each container read is one status check.
    func read(_ id: String, fields: String?) -> FakeResponse {
        let wanted = Set((fields ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        func pick(_ all: [String: JSONValue]) -> FakeResponse {
            var result: [String: JSONValue] = ["id": .string(id)]
            for (key, value) in all where wanted.contains(key) { result[key] = value }
            return .json(200, .object(result))
        }
        if var container = containers[id] {
            container.polls += 1
            if container.statusCode != "PUBLISHED" {
                if container.expired {
                    container.statusCode = "EXPIRED"
                } else if let failure = container.failure {
                    container.statusCode = "ERROR"
                    container.statusText = failure
                } else if container.resumable,
                    container.declaredSize == nil || container.byteCount < (container.declaredSize ?? 0)
                {
                    container.statusCode = "IN_PROGRESS"
                } else if container.pendingPolls > 0 {
                    container.pendingPolls -= 1
                    container.statusCode = "IN_PROGRESS"
                } else {
                    container.statusCode = "FINISHED"
                }
            }
            containers[id] = container
            var all: [String: JSONValue] = ["status_code": .string(container.statusCode)]
            all["status"] = .string(container.statusText ?? container.statusCode)
            return pick(all)
        }
        if let item = media[id] {
            return pick([
                "permalink": .string(item.permalink), "media_type": .string("VIDEO"),
                "media_product_type": .string("REELS"),
            ])
        }
        return pick(["username": .string("atom.sandbox"), "user_id": .string(userID)])
    }

    // MARK: Publishing

    nonisolated func publishContainer(_ request: FakeRequest) async throws -> FakeResponse {
        let fields = try await Self.parameters(of: request)
        return await publish(creationID: fields["creation_id"])
    }

    func publish(creationID: String?) -> FakeResponse {
        guard let creationID, var container = containers[creationID] else {
            return Self.graphError(
                400, code: 100,
                message: "(#100) The parameter creation_id is required and must be a container of this account.",
                trace: nextTraceID())
        }
        if container.mediaID != nil {
            duplicatePublishes += 1
            return Self.graphError(
                400, code: 100, message: "(#100) This container was already published.", trace: nextTraceID())
        }
        if quotaUsage >= quotaTotal {
            return Self.graphError(
                400, code: 9, subcode: 2207042, message: "Application request limit reached",
                userMessage:
                    "You have reached the maximum number of posts that can be published through the API within 24 hours.",
                trace: nextTraceID())
        }
        guard container.statusCode == "FINISHED" else {
            return Self.graphError(
                400, code: 9007, subcode: 2207027, message: "Media ID is not available",
                userMessage: "The media is not ready for publishing, please wait for a moment", trace: nextTraceID())
        }
        sequence += 1
        let mediaID = String(format: "1795%013d", sequence)
        container.mediaID = mediaID
        container.statusCode = "PUBLISHED"
        containers[creationID] = container
        quotaUsage += 1
        media[mediaID] = (
            creationID, "https://www.instagram.com/reel/SBX\(String(sequence, radix: 36).uppercased())atom/"
        )
        if dropNextPublish {
            dropNextPublish = false
            return .dropConnection
        }
        return .json(200, .object(["id": .string(mediaID)]))
    }

    func publishingLimit(_ request: FakeRequest) -> FakeResponse {
        if let since = request.query("since"), Int(since) == nil {
            return Self.graphError(
                400, code: 100, message: "(#100) Param since must be a Unix time", trace: nextTraceID())
        }
        let entry: JSONValue = .object([
            "quota_usage": .number(Double(quotaUsage)),
            "config": .object(["quota_total": .number(Double(quotaTotal)), "quota_duration": .number(86_400)]),
        ])
        return .json(200, .object(["data": .array([entry])]))
    }

    // MARK: Tokens

    nonisolated func refresh(_ request: FakeRequest) async -> FakeResponse {
        let auth = Self.credentials(of: request)
        await record(
            Request(
                mount: InstagramFakeService.Mount.instagramLogin.rawValue, method: request.method, path: request.path,
                authScheme: auth.scheme, tokenInURL: auth.inURL))
        return await refreshToken(
            request.method, grantType: request.query("grant_type"), token: request.query("access_token") ?? auth.token)
    }

    func refreshToken(_ method: String, grantType: String?, token: String?) -> FakeResponse {
        guard method == "GET" else {
            return Self.graphError(
                400, code: 100, message: "Unsupported \(method.lowercased()) request", trace: nextTraceID())
        }
        guard grantType == "ig_refresh_token" else {
            return Self.graphError(
                400, code: 100, message: "Invalid grant_type: expected ig_refresh_token", trace: nextTraceID())
        }
        if let failure = authFailure(token: token, mount: .instagramLogin) { return failure }
        if refuseRefresh {
            return Self.graphError(
                400, code: 100, message: "The access token must be at least 24 hours old to be refreshed",
                trace: nextTraceID())
        }
        refreshes += 1
        let fresh = "sandbox-instagram-access-token-refreshed-\(refreshes)"
        validTokens.insert(fresh)
        return .json(
            200,
            .object(["access_token": .string(fresh), "token_type": .string("bearer"), "expires_in": .number(5_184_000)])
        )
    }
}
