import Foundation
import NIOCore
import PlatformKit
import PublishingCore
import Synchronization

extension FakeFacebookGraphService {
    // MARK: Reels

    /// `POST /{page-id}/video_reels`: `upload_phase=start` opens a session, `finish` publishes or schedules.
    func reels(_ request: FakeRequest, _ parameters: Parameters) async -> FakeResponse {
        switch parameters["upload_phase"] {
        case "start":
            let root = String(request.baseURL.dropLast(mountPath.count))
            return fake.state.withLock { state -> FakeResponse in
                if let error = state.takeGraphError(for: .reelsStart) { return FakeFacebookError.graph(error) }
                let id = state.makeID()
                state.videos[id] = FakeFacebookVideo(id: id, format: .reel)
                state.order.append(id)
                let version = request.path.split(separator: "/").first.map(String.init) ?? "v0.0"
                return .json(200, .object([
                    "video_id": .string(id),
                    "upload_url": .string("\(root)\(FakeFacebookRuploadService.mount)/video-upload/\(version)/\(id)"),
                ]))
            }
        case "finish":
            return finishReel(parameters)
        default:
            return FakeFacebookError.parameter("upload_phase must be start or finish")
        }
    }

    private func finishReel(_ parameters: Parameters) -> FakeResponse {
        let configuration = self.configuration
        let state = parameters["video_state"]?.uppercased()
        guard let state, ["PUBLISHED", "DRAFT", "SCHEDULED"].contains(state) else {
            return FakeFacebookError.parameter("video_state must be PUBLISHED, DRAFT or SCHEDULED")
        }
        let time = parameters["scheduled_publish_time"]
        if state == "SCHEDULED" {
            guard let time else { return FakeFacebookError.parameter("scheduled_publish_time is required when video_state is SCHEDULED") }
            if let refusal = checkSchedule(time, format: .reel) { return refusal }
        } else if time != nil {
            return FakeFacebookError.parameter("scheduled_publish_time is only allowed when video_state is SCHEDULED")
        }
        return fake.state.withLock { fakeState -> FakeResponse in
            if let error = fakeState.takeGraphError(for: .reelsFinish) { return FakeFacebookError.graph(error) }
            guard let id = parameters["video_id"], var video = fakeState.videos[id], video.format == .reel else {
                return FakeFacebookError.parameter("Invalid parameter: video_id")
            }
            guard !video.finished else { return FakeFacebookError.parameter("This video has already been published") }
            guard video.uploadComplete else {
                return FakeFacebookError.graph(400, code: 6000, message: "There was a problem uploading your video file: the upload is not complete "
                                               + "(\(video.digest.count) of \(video.declaredSize.map(String.init) ?? "?") bytes)")
            }
            if state != "DRAFT", fakeState.reelsInWindow >= configuration.reelsPerDay {
                return FakeFacebookError.graph(
                    400, code: 9, message: "(#9) This Page has reached the limit of \(configuration.reelsPerDay) Reels published through the API in 24 hours",
                    userTitle: "Reels publishing limit reached")
            }
            if state != "DRAFT" { fakeState.reelsInWindow += 1 }
            video.videoState = state
            video.scheduledPublishTime = time.flatMap { Int64($0) }
            video.description = parameters["description"]
            video.title = parameters["title"]
            let (polls, failure) = fakeState.processingPlan(default: configuration.processingPolls)
            video.finish(polls: polls, failure: failure)
            fakeState.videos[id] = video
            return .json(200, .object(["success": .bool(true), "post_id": .string("\(configuration.pageID)_\(id)")]))
        }
    }

    // MARK: Page videos

    /// `POST /{page-id}/videos` without multipart: `upload_phase=start` or `finish`, or `file_url`.
    func videos(_ request: FakeRequest, _ parameters: Parameters) async -> FakeResponse {
        switch parameters["upload_phase"] {
        case "start":
            guard let text = parameters["file_size"], let size = Int64(text), size > 0 else {
                return FakeFacebookError.parameter("file_size must be a positive integer")
            }
            let chunk = Int64(configuration.chunkSize)
            return fake.state.withLock { state -> FakeResponse in
                if let error = state.takeGraphError(for: .videoStart) { return FakeFacebookError.graph(error) }
                let id = state.makeID()
                let session = state.makeID()
                var video = FakeFacebookVideo(id: id, format: .video)
                video.declaredSize = size
                video.sessionID = session
                video.nextEnd = min(chunk, size)
                state.videos[id] = video
                state.order.append(id)
                state.sessions[session] = id
                return .json(200, .object([
                    "video_id": .string(id), "upload_session_id": .string(session),
                    "start_offset": .string("0"), "end_offset": .string(String(video.nextEnd)),
                ]))
            }
        case "transfer":
            return FakeFacebookError.parameter("video_file_chunk must be sent as multipart/form-data")
        case "finish":
            return finishVideo(parameters)
        case nil:
            guard let url = parameters["file_url"] else {
                return FakeFacebookError.parameter("the fake takes file_url or the resumable upload (upload_phase)")
            }
            return await createFromURL(url, parameters)
        case let phase?:
            return FakeFacebookError.parameter("unknown upload_phase \(phase)")
        }
    }

    /// Title, description and `published`/`scheduled_publish_time` of a Page video.
    private func videoMetadata(_ parameters: Parameters) -> Result<(state: String, time: Int64?), FakeResponseError> {
        let published = parameters["published"].map { $0.lowercased() != "false" && $0 != "0" } ?? true
        guard let time = parameters["scheduled_publish_time"] else { return .success((published ? "PUBLISHED" : "DRAFT", nil)) }
        guard !published else {
            return .failure(FakeResponseError(FakeFacebookError.parameter("A scheduled video must be sent with published=false")))
        }
        if let refusal = checkSchedule(time, format: .video) { return .failure(FakeResponseError(refusal)) }
        return .success(("SCHEDULED", Int64(time)))
    }

    private func finishVideo(_ parameters: Parameters) -> FakeResponse {
        let metadata: (state: String, time: Int64?)
        switch videoMetadata(parameters) {
        case .success(let value): metadata = value
        case .failure(let error): return error.response
        }
        let polls = configuration.processingPolls
        return fake.state.withLock { state -> FakeResponse in
            if let error = state.takeGraphError(for: .videoFinish) { return FakeFacebookError.graph(error) }
            guard let session = parameters["upload_session_id"], let id = state.sessions[session], let video = state.videos[id] else {
                return FakeFacebookError.parameter("Invalid upload_session_id")
            }
            guard !video.finished else { return FakeFacebookError.parameter("This upload session is already finished") }
            guard video.uploadComplete else {
                return FakeFacebookError.graph(400, code: 6001, message: "There was a problem uploading your video file: "
                                               + "\(video.digest.count) of \(video.declaredSize ?? 0) bytes received")
            }
            state.finish(video, title: parameters["title"], description: parameters["description"], metadata, defaultPolls: polls)
            return .json(200, .object(["success": .bool(true)]))
        }
    }

    private func createFromURL(_ url: String, _ parameters: Parameters) async -> FakeResponse {
        let metadata: (state: String, time: Int64?)
        switch videoMetadata(parameters) {
        case .success(let value): metadata = value
        case .failure(let error): return error.response
        }
        if let error = fake.state.withLock({ $0.takeGraphError(for: .videoCreate) }) { return FakeFacebookError.graph(error) }
        let id = fake.state.withLock { state -> String in
            let id = state.makeID()
            var video = FakeFacebookVideo(id: id, format: .video)
            video.fileURL = url
            video.uploadRequests = 1
            state.videos[id] = video
            state.order.append(id)
            return id
        }
        do {
            let count = try await FakeFacebookDownload.fetch(url) { buffer in fake.state.withLock { $0.videos[id]?.receive(buffer) } }
            fake.state.withLock { $0.videos[id]?.declaredSize = count }
        } catch {
            fake.state.withLock { state in
                state.videos[id] = nil
                state.order.removeAll { $0 == id }
            }
            return FakeFacebookError.graph(400, code: 351, message: "(#351) There was a problem with your video file: "
                                           + "it could not be downloaded from file_url (\(error))")
        }
        let polls = configuration.processingPolls
        return fake.state.withLock { state -> FakeResponse in
            guard var video = state.videos[id] else { return FakeFacebookError.parameter("video vanished") }
            video.uploadComplete = true
            state.finish(video, title: parameters["title"], description: parameters["description"], metadata, defaultPolls: polls)
            return .json(200, .object(["id": .string(id)]))
        }
    }

    /// A multipart `POST /{page-id}/videos`: one chunk transfer. Faults are decided before the body is read.
    func transfer(_ request: FakeRequest) async throws -> FakeResponse {
        let fault = fake.state.withLock { state -> FakeFacebook.Fault? in
            state.transferCount += 1
            let number = state.transferCount
            let fault = state.takeFault { fault in
                switch fault {
                case .transferOffsetMismatch(number), .transferServerError(number), .transferDropped(number, _), .transferAnswerLost(number):
                    return true
                default:
                    return false
                }
            }
            return fault
        }
        switch fault {
        case .transferDropped(_, let bytes)?:
            _ = try await request.body.consume(limit: Int64(bytes)) { _ in }
            return .dropConnection
        case .transferServerError?:
            return FakeFacebookError.graph(FakeFacebook.GraphError.transient)
        default:
            break
        }
        let parameters: Parameters
        do {
            parameters = try await readParameters(request, multipartLimit: configuration.chunkSize + (1 << 20))
        } catch is FakeBodyTooLarge {
            return FakeFacebookError.parameter("video_file_chunk is larger than the chunk the server asked for")
        }
        if let refusal = authenticate(request, parameters) { return refusal }
        guard parameters["upload_phase"] == "transfer" else {
            return FakeFacebookError.parameter("multipart requests to /videos must be upload_phase=transfer")
        }
        guard let chunk = parameters.multipart?.part("video_file_chunk"), chunk.fileName != nil else {
            return FakeFacebookError.parameter("video_file_chunk (a file part) is required")
        }
        guard let startText = parameters["start_offset"], let start = Int64(startText) else {
            return FakeFacebookError.parameter("start_offset must be an integer")
        }
        let chunkSize = Int64(configuration.chunkSize)
        let response = fake.state.withLock { state -> FakeResponse in
            if let error = state.takeGraphError(for: .videoTransfer) { return FakeFacebookError.graph(error) }
            guard let session = parameters["upload_session_id"], let id = state.sessions[session], var video = state.videos[id],
                  let size = video.declaredSize else {
                return FakeFacebookError.parameter("Invalid upload_session_id")
            }
            guard !video.finished else { return FakeFacebookError.parameter("This upload session is already finished") }
            if case .transferOffsetMismatch? = fault {
                video.nextEnd = video.nextStart + max(1, (video.nextEnd - video.nextStart) / 2)
                state.videos[id] = video
                return FakeFacebookError.offsetMismatch(start: video.nextStart, end: video.nextEnd)
            }
            video.uploadRequests += 1
            video.uploadOffsets.append(start)
            guard start == video.nextStart, Int64(chunk.body.count) == video.nextEnd - video.nextStart else {
                state.videos[id] = video
                return FakeFacebookError.offsetMismatch(start: video.nextStart, end: video.nextEnd)
            }
            video.receive(ByteBuffer(bytes: chunk.body))
            video.nextStart = video.nextEnd
            video.nextEnd = min(video.nextStart + chunkSize, size)
            if video.nextStart == size { video.uploadComplete = true }
            state.videos[id] = video
            return .json(200, .object([
                "start_offset": .string(String(video.nextStart)), "end_offset": .string(String(video.nextEnd)),
            ]))
        }
        if case .transferAnswerLost? = fault, response.status == 200 { return .dropConnection }
        return response
    }

    // MARK: Status

    /// `GET /{video-id}?fields=…`: each read moves processing on by one step.
    func status(_ id: String, _ parameters: Parameters) -> FakeResponse {
        let pageID = configuration.pageID
        let fields = (parameters["fields"] ?? "id,title,description").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return fake.state.withLock { state -> FakeResponse in
            if let error = state.takeGraphError(for: .status) { return FakeFacebookError.graph(error) }
            guard var video = state.videos[id] else { return FakeFacebookError.parameter("Unsupported get request") }
            video.advance()
            state.videos[id] = video
            var node: [String: JSONValue] = ["id": .string(id)]
            for field in fields {
                switch field {
                case "status": node["status"] = video.status
                case "permalink_url":
                    node["permalink_url"] = .string(video.format == .reel ? "/reel/\(id)/" : "/\(pageID)/videos/\(id)/")
                case "title": if let title = video.title { node["title"] = .string(title) }
                case "description": if let description = video.description { node["description"] = .string(description) }
                default: break
                }
            }
            return .json(200, .object(node))
        }
    }
}

/// A ready answer carried as an error (for `Result`).
struct FakeResponseError: Error {
    let response: FakeResponse
    init(_ response: FakeResponse) { self.response = response }
}

extension FakeFacebookState {
    /// How the next finished video processes: an injected slow-processing or processing-error fault, else the default.
    mutating func processingPlan(default polls: Int) -> (polls: Int, failure: String?) {
        var count = polls
        if case .slowProcessing(let slow)? = takeFault(where: { if case .slowProcessing = $0 { true } else { false } }) { count = slow }
        var failure: String?
        if case .processingError(let message)? = takeFault(where: { if case .processingError = $0 { true } else { false } }) { failure = message }
        return (count, failure)
    }

    /// Stores `video` finished with the call's title, description and publish state: processing starts.
    mutating func finish(
        _ video: FakeFacebookVideo, title: String?, description: String?, _ metadata: (state: String, time: Int64?),
        defaultPolls polls: Int
    ) {
        var video = video
        video.title = title
        video.description = description
        video.videoState = metadata.state
        video.scheduledPublishTime = metadata.time
        let (pollCount, failure) = processingPlan(default: polls)
        video.finish(polls: pollCount, failure: failure)
        videos[video.id] = video
    }
}
