package dev.deepgramagent.metrics;

import dev.deepgramagent.errors.InternalErrors;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsServerTest {

    private final CollectorRegistry registry = new CollectorRegistry();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsServer server;

    @BeforeEach
    void start() {
        Counter.build("test_sessions_total", "Sessions.").labelNames("library").register(registry).labels("okhttp").inc(3);
        Gauge.build("test_active", "Active.").register(registry).set(2);
        server = MetricsServer.start("127.0.0.1", freePort(), registry);
        assertNotNull(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesTheRegistryInPrometheusTextFormat() throws Exception {
        HttpResponse<String> r = get("/metrics", null, null);
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().contains("test_sessions_total{library=\"okhttp\",} 3.0"), r.body());
        assertTrue(r.body().contains("test_active 2.0"), r.body());
        // The root path serves the same, as Prometheus' own exporter does.
        assertTrue(get("/", null, null).body().contains("test_active 2.0"));
    }

    @Test
    void openMetricsWhenAskedFor() throws Exception {
        HttpResponse<String> r = get("/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8", null);
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(r.body().contains("test_sessions_total{library=\"okhttp\"} 3.0"), r.body());
        assertTrue(r.body().endsWith("# EOF\n"), r.body());
    }

    @Test
    void gzipWhenTheScraperAcceptsIt() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri("/metrics")).header("Accept-Encoding", "gzip").timeout(Duration.ofSeconds(10)).build();
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(""));
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("test_active 2.0"));
        }
    }

    @Test
    void noGzipWhenRefusedAndBareLineFeedsAreRead() throws Exception {
        HttpRequest refused = HttpRequest.newBuilder(uri("/metrics")).header("Accept-Encoding", "identity, gzip;q=0")
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = http.send(refused, HttpResponse.BodyHandlers.ofString());
        assertFalse(r.headers().firstValue("content-encoding").isPresent());
        assertEquals("Accept-Encoding", r.headers().firstValue("vary").orElse(""));
        assertTrue(r.body().contains("test_active 2.0"));
        try (Socket raw = new Socket("127.0.0.1", server.getPort())) {
            raw.getOutputStream().write("GET /metrics HTTP/1.0\nHost: x\n\n".getBytes(StandardCharsets.ISO_8859_1));
            raw.getOutputStream().flush();
            raw.setSoTimeout(10_000);
            String answer = new String(raw.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.contains("test_active 2.0"), answer);
        }
    }

    @Test
    void nameFiltersSelectFamilies() throws Exception {
        String body = get("/metrics?name[]=test_active", null, null).body();
        assertTrue(body.contains("test_active 2.0"), body);
        assertFalse(body.contains("test_sessions_total"), body);
    }

    @Test
    void healthOtherPathsAndMethods() throws Exception {
        assertEquals("Exporter is Healthy.", get("/-/healthy", null, null).body());
        assertEquals(404, get("/nothing", null, null).statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/metrics")).POST(HttpRequest.BodyPublishers.ofString("x"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(uri("/metrics")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    /** A client that connects and says nothing holds the endpoint at most the read timeout; garbage gets a 400. */
    @Test
    void aSilentOrBrokenClientDoesNotBlockTheNextScrape() throws Exception {
        try (Socket silent = new Socket("127.0.0.1", server.getPort())) {
            HttpResponse<String> r = get("/metrics", null, null); // waits behind the silent client, then answers
            assertEquals(200, r.statusCode());
            assertNotNull(silent);
        }
        try (Socket broken = new Socket("127.0.0.1", server.getPort())) {
            OutputStream out = broken.getOutputStream();
            out.write("NONSENSE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            broken.setSoTimeout(10_000);
            String answer = new String(broken.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        }
        assertEquals(200, get("/metrics", null, null).statusCode());
    }

    @Test
    void aPortInUseIsRecordedAndTheAgentCarriesOn() throws IOException {
        long before = InternalErrors.count(InternalErrors.Kind.STARTUP);
        try (ServerSocket taken = new ServerSocket(0)) {
            assertNull(MetricsServer.start("127.0.0.1", taken.getLocalPort(), registry));
        }
        assertEquals(before + 1, InternalErrors.count(InternalErrors.Kind.STARTUP));
        assertFalse(InternalErrors.degraded(), "a busy port must not stop the agent's writes");
        assertNull(MetricsServer.start("127.0.0.1", 0, registry), "port 0 turns the endpoint off");
    }

    @Test
    void closeStopsAccepting() throws Exception {
        int port = server.getPort();
        server.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                Thread.onSpinWait();
            } catch (ConnectException expected) {
                refused = true;
            }
        }
        assertTrue(refused, "still accepting after close");
        assertThrows(IOException.class, () -> get("/metrics", null, null));
    }

    private HttpResponse<String> get(String path, String accept, String encoding) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (encoding != null) {
            b.header("Accept-Encoding", encoding);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getPort() + path);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
