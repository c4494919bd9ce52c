import Foundation

extension DotEnvFile {
    /// Removes every assignment of `keys` from the file (atomically, mode 0600), keeping every other line,
    /// comment and the order, and returns the file as now written. Used by `atom auth revoke`.
    ///
    /// Only the public surface (``lines``, ``AtomicFile``) is used, so the file's own parsing and writing stay
    /// the one place that knows the syntax.
    /// - Parameter keys: The keys to drop (all their assignments, exported or not).
    /// - Returns: The keys that were present and removed, and the reloaded file.
    /// - Throws: ``PublishError`` (`storage`) when the file cannot be written; nothing is removed then.
    public func removing(_ keys: Set<String>) throws -> (removed: [String], file: DotEnvFile) {
        var removed: [String] = []
        var kept: [String] = []
        for line in lines {
            switch line {
            case .verbatim(let raw):
                kept.append(raw)
            case .assignment(let key, _, _, let raw):
                if keys.contains(key) {
                    if !removed.contains(key) { removed.append(key) }
                } else {
                    kept.append(raw)
                }
            }
        }
        guard !removed.isEmpty else { return ([], self) }
        let text = kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(text.utf8), to: path, mode: 0o600)
        return (removed, try DotEnvFile(path: path))
    }
}
