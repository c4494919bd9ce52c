import Foundation

/// The login's side of the terminal: opening the browser, telling the user what to do, reading a
/// pasted redirect URL or an answer. The CLI gives it the real terminal; tests inject their own
/// (a "browser" that follows the URL over HTTP, scripted answers).
public struct LoginConsole: Sendable {
    /// Opens `url` in a browser; returns `false` when no browser could be started (the URL is then
    /// printed for the user to open).
    public var openBrowser: @Sendable (URL) async -> Bool
    /// Shows a line to the user (stderr). Never called with a secret.
    public var inform: @Sendable (String) -> Void
    /// Reads one line of input (after `prompt` is shown), or `nil` at end of input.
    public var readLine: @Sendable (_ prompt: String) async throws -> String?
    /// Whether a person can answer questions (stdin is a terminal).
    public var isInteractive: Bool

    /// Creates a console.
    public init(
        openBrowser: @escaping @Sendable (URL) async -> Bool,
        inform: @escaping @Sendable (String) -> Void,
        readLine: @escaping @Sendable (_ prompt: String) async throws -> String?,
        isInteractive: Bool
    ) {
        self.openBrowser = openBrowser
        self.inform = inform
        self.readLine = readLine
        self.isInteractive = isInteractive
    }

    /// Asks the user to pick one of `options` by number.
    /// - Parameters:
    ///   - question: The question, e.g. "Which Page should atom post to?".
    ///   - options: The choices as shown.
    ///   - platform: For the error.
    /// - Returns: The chosen index.
    /// - Throws: ``PublishError`` (`configuration`) when no answer can be read; (`invalidInput`) after three bad answers.
    public func choose(_ question: String, options: [String], platform: PlatformID?) async throws -> Int {
        inform(question)
        for (index, option) in options.enumerated() { inform("  \(index + 1). \(option)") }
        for _ in 0..<3 {
            guard let answer = try await readLine("Enter a number (1-\(options.count)): ") else {
                throw PublishError(.configuration, platform: platform, message: "no answer was given to: \(question)")
            }
            if let number = Int(answer.trimmingCharacters(in: .whitespaces)), (1...options.count).contains(number) {
                return number - 1
            }
            inform("Please enter a number from 1 to \(options.count).")
        }
        throw PublishError(.invalidInput, platform: platform, message: "no valid choice was made for: \(question)")
    }
}
