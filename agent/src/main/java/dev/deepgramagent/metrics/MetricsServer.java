package dev.deepgramagent.metrics;

import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.logging.AgentLogging;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Serves the agent's registry at {@code http://metrics.host:metrics.port/metrics} (also at {@code /},
 * and {@code /-/healthy}), as Prometheus' own exporter does: the text format or OpenMetrics by the
 * {@code Accept} header, gzip when asked, {@code name[]} filters.
 *
 * <p>One daemon thread answers the connections one at a time: a scrape every few seconds needs no
 * more. The JDK's {@code HttpServer} under Prometheus' {@code HTTPServer} did the same job for about
 * 80 ms more CPU during the app's start-up on a 2-core machine (its classes, a dispatcher and a pool). A
 * client gets {@link #READ_TIMEOUT_MILLIS} to send its request and {@link #EXCHANGE_TIMEOUT_MILLIS}
 * for the whole exchange (a watchdog thread, started at the first scrape, drops one that stops
 * reading), so one that stalls cannot hold the endpoint longer.
 */
public final class MetricsServer implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 5000;
    /** A client gets this long for its whole exchange; one that stops reading the answer is dropped after it. */
    static final int EXCHANGE_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_REQUEST_HEAD_BYTES = 16 * 1024;

    /** What a scrape reads: the families, all of them or those named by {@code name[]} parameters. */
    public interface Source {
        Enumeration<Collector.MetricFamilySamples> samples(Set<String> names);
    }

    private final ServerSocket socket;
    private final Source source;
    private final Thread thread;
    private volatile boolean closed;
    /** The client being answered, so that close() and the watchdog can drop it. */
    private volatile Socket current;
    /** Drops a client whose exchange passes EXCHANGE_TIMEOUT_MILLIS (a write blocks on a peer that reads nothing). */
    private final ScheduledThreadPoolExecutor watchdog;

    private MetricsServer(ServerSocket socket, Source source) {
        this.socket = socket;
        this.source = source;
        this.thread = new Thread(new AcceptLoop(), "deepgram-agent-metrics");
        thread.setDaemon(true);
        this.watchdog = new ScheduledThreadPoolExecutor(1, new WatchdogThreads());
        watchdog.setRemoveOnCancelPolicy(true);
        watchdog.setKeepAliveTime(30, TimeUnit.SECONDS);
        watchdog.allowCoreThreadTimeOut(true); // no thread while nobody scrapes
    }

    private static final class WatchdogThreads implements ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "deepgram-agent-metrics-watchdog");
            t.setDaemon(true);
            return t;
        }
    }

    /** Serves a registry as it is (tests, tools). */
    public static MetricsServer start(String host, int port, CollectorRegistry registry) {
        return start(host, port, new RegistrySource(registry));
    }

    private static final class RegistrySource implements Source {
        private final CollectorRegistry registry;

        RegistrySource(CollectorRegistry registry) {
            this.registry = registry;
        }

        @Override
        public Enumeration<Collector.MetricFamilySamples> samples(Set<String> names) {
            return names.isEmpty() ? registry.metricFamilySamples() : registry.filteredMetricFamilySamples(names);
        }
    }

    /** @return the running server, or null when the port is 0 or cannot be bound (recorded once; the app carries on). */
    public static MetricsServer start(String host, int port, Source source) {
        if (port == 0) {
            return null;
        }
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port), 50);
            MetricsServer server = new MetricsServer(socket, source);
            server.thread.start();
            if (AgentLogging.debugEnabled()) {
                AgentLogging.logger("metrics").debug("metrics on http://{}:{}/metrics", host, server.getPort());
            }
            return server;
        } catch (Exception e) {
            closeQuietly(socket);
            InternalErrors.record(InternalErrors.Kind.STARTUP, "metrics endpoint " + host + ":" + port,
                    e + " (set metrics.port to a free port, or 0 to turn the endpoint off)");
            return null;
        }
    }

    public int getPort() {
        return socket.getLocalPort();
    }

    /** Stops accepting; the thread ends with the socket. Called by the agent's shutdown hook. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
        closeQuietly(current);
        watchdog.shutdownNow();
    }

    private final class AcceptLoop implements Runnable {
        @Override
        public void run() {
            while (!closed) {
                Socket client;
                try {
                    client = socket.accept();
                } catch (IOException | RuntimeException e) {
                    if (closed || socket.isClosed()) {
                        return;
                    }
                    // Out of file descriptors, say: counted once, and the endpoint tries again.
                    InternalErrors.record(InternalErrors.Kind.STARTUP, "metrics endpoint accept", String.valueOf(e));
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException stop) {
                        return;
                    }
                    continue;
                }
                current = client;
                ScheduledFuture<?> deadline = null;
                try {
                    deadline = watchdog.schedule(new Drop(client), EXCHANGE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                    serve(client);
                } catch (SocketTimeoutException | SocketException e) {
                    // the client stalled or went away: nothing to answer
                } catch (Throwable t) {
                    // A scrape that failed: counted, never a reason to stop writing to the app's sockets.
                    InternalErrors.record(InternalErrors.Kind.DIAGNOSTIC, "metrics scrape", t);
                } finally {
                    if (deadline != null) {
                        deadline.cancel(false);
                    }
                    current = null;
                    closeQuietly(client);
                }
            }
        }
    }

    private static final class Drop implements Runnable {
        private final Socket client;

        Drop(Socket client) {
            this.client = client;
        }

        @Override
        public void run() {
            closeQuietly(client);
        }
    }

    private void serve(Socket client) throws IOException {
        long deadline = System.nanoTime() + READ_TIMEOUT_MILLIS * 1_000_000L;
        Request request = Request.read(client, new BufferedInputStream(client.getInputStream(), 2048), deadline);
        OutputStream out = client.getOutputStream();
        if (request == null) {
            respond(out, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n".getBytes(StandardCharsets.UTF_8), false, false);
            return;
        }
        boolean head = request.method.equals("HEAD");
        if (!head && !request.method.equals("GET")) {
            respond(out, 405, "Method Not Allowed", "text/plain; charset=utf-8", "GET or HEAD\n".getBytes(StandardCharsets.UTF_8), false, false);
            return;
        }
        if (request.path.equals("/-/healthy")) {
            respond(out, 200, "OK", "text/plain; charset=utf-8", "Exporter is Healthy.".getBytes(StandardCharsets.UTF_8), head, false);
            return;
        }
        if (!request.path.equals("/metrics") && !request.path.equals("/")) {
            respond(out, 404, "Not Found", "text/plain; charset=utf-8", "not found: try /metrics\n".getBytes(StandardCharsets.UTF_8), head, false);
            return;
        }
        String contentType = TextFormat.chooseContentType(request.accept);
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        boolean gzip = request.acceptsGzip();
        OutputStream target = gzip ? new GZIPOutputStream(body) : body;
        Writer writer = new OutputStreamWriter(target, StandardCharsets.UTF_8);
        Set<String> names = request.names;
        TextFormat.writeFormat(contentType, writer, source.samples(names));
        writer.close();
        respond(out, 200, "OK", contentType, body.toByteArray(), head, gzip);
    }

    private static void respond(OutputStream out, int status, String reason, String contentType, byte[] body, boolean head,
                                boolean gzip) throws IOException {
        StringBuilder h = new StringBuilder(160);
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (gzip) {
            h.append("Content-Encoding: gzip\r\n");
        }
        h.append("Vary: Accept-Encoding\r\nConnection: close\r\n\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(body);
        }
        out.flush();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing left to do with it
        }
    }

    /** The parts of an HTTP request head the endpoint uses. */
    static final class Request {
        final String method;
        final String path;
        final Set<String> names;
        String accept;
        String acceptEncoding;

        private Request(String method, String path, Set<String> names) {
            this.method = method;
            this.path = path;
            this.names = names;
        }

        /** {@code gzip} among the codings, not refused with {@code q=0}. */
        boolean acceptsGzip() {
            if (acceptEncoding == null) {
                return false;
            }
            for (String coding : acceptEncoding.split(",")) {
                String[] parts = coding.split(";");
                if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("gzip")) {
                    continue;
                }
                for (int i = 1; i < parts.length; i++) {
                    String param = parts[i].trim().toLowerCase(Locale.ROOT);
                    if (param.startsWith("q=")) {
                        try {
                            return Double.parseDouble(param.substring(2).trim()) > 0;
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    }
                }
                return true;
            }
            return false;
        }

        /** @return the request, or null if its head is malformed, too long or cut off. */
        static Request read(Socket client, InputStream in, long deadlineNanos) throws IOException {
            String head = readHead(client, in, deadlineNanos);
            if (head == null) {
                return null;
            }
            String[] lines = head.split("\r?\n");
            String[] requestLine = lines[0].split(" ");
            if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/")) {
                return null;
            }
            String target = requestLine[1];
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            Set<String> names = new HashSet<>();
            if (q >= 0) {
                for (String pair : target.substring(q + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && decode(pair.substring(0, eq)).equals("name[]")) {
                        names.add(decode(pair.substring(eq + 1)));
                    }
                }
            }
            Request request = new Request(requestLine[0], path, names);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("accept")) {
                    request.accept = value;
                } else if (name.equals("accept-encoding")) {
                    request.acceptEncoding = value;
                }
            }
            return request;
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return s;
            }
        }

        /**
         * Up to the blank line that ends the head (CRLF CRLF, or bare LFs); null past the size limit,
         * the deadline or the end of the stream. Each read may wait only for what is left of the deadline.
         */
        private static String readHead(Socket client, InputStream in, long deadlineNanos) throws IOException {
            byte[] buf = new byte[MAX_REQUEST_HEAD_BYTES];
            int n = 0;
            while (n < buf.length) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                client.setSoTimeout((int) Math.max(1, left / 1_000_000L));
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                buf[n++] = (byte) b;
                if (n >= 2 && buf[n - 1] == '\n' && (buf[n - 2] == '\n' || (n >= 4 && buf[n - 2] == '\r'
                        && buf[n - 3] == '\n' && buf[n - 4] == '\r'))) {
                    return new String(buf, 0, n, StandardCharsets.ISO_8859_1).trim();
                }
            }
            return null;
        }
    }
}
