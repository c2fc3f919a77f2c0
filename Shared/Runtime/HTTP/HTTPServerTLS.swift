import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// The HTTP listener's certificate and key when it speaks HTTPS only
/// (`HOUSHI_HTTP_TLS_CERT`, `HOUSHI_HTTP_TLS_KEY`): what nginx and the monitoring reach.
public struct HTTPServerTLS: Sendable, Equatable {
    /// A PEM file with the server's certificate first, then any intermediate ones.
    public var certificateFile: String
    /// A PEM file with the certificate's private key.
    public var keyFile: String

    /// Both variables, or neither (plain HTTP); one alone is an error.
    static func read(from reader: EnvironmentReader) throws -> HTTPServerTLS? {
        let certificate = try reader.optionalString("HOUSHI_HTTP_TLS_CERT")
        let key = try reader.optionalString("HOUSHI_HTTP_TLS_KEY")
        switch (certificate, key) {
        case (nil, nil): return nil
        case let (certificate?, key?): return HTTPServerTLS(certificateFile: certificate, keyFile: key)
        case (nil, _): throw ConfigurationError(variable: "HOUSHI_HTTP_TLS_KEY", problem: "needs HOUSHI_HTTP_TLS_CERT as well")
        case (_, nil): throw ConfigurationError(variable: "HOUSHI_HTTP_TLS_CERT", problem: "needs HOUSHI_HTTP_TLS_KEY as well")
        }
    }

    /// The server's TLS settings (TLS 1.2 at least), the files read once; a file that cannot be
    /// read or parsed is a `ConfigurationError` naming its variable.
    public func serverConfiguration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw ConfigurationError(variable: "HOUSHI_HTTP_TLS_CERT", problem: "names no readable PEM certificate: \(error)")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(variable: "HOUSHI_HTTP_TLS_CERT", problem: "names a file without a certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ConfigurationError(variable: "HOUSHI_HTTP_TLS_KEY", problem: "names no readable PEM private key: \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                    privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// The server: `base` inside TLS when `tls` is set.
    static func server(_ base: HTTPServerBuilder, tls: HTTPServerTLS?) throws -> HTTPServerBuilder {
        guard let tls else { return base }
        return try .tls(base, tlsConfiguration: try tls.serverConfiguration())
    }
}
