package dev.deepgramagent.it.stacks;

import dev.deepgramagent.demo.SampleApp;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketOutbound;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sample app on reactor-netty, the way Spring WebFlux's {@code ReactorNettyWebSocketClient}
 * drives it: {@code HttpClient.websocket(spec).uri(url).handle(...)}, the app's frames sent from a
 * publisher with {@code sendObject}, received frames from {@code receiveFrames()}, and the close
 * through {@code WebsocketOutbound.sendClose(code, reason)}, which is what WebFlux's
 * {@code WebSocketSession.close(CloseStatus)} calls once the session's send completes. (reactor-netty
 * closes the connection as soon as its close frame is written.) With {@code http_probe=<url>} it first
 * makes a plain HTTP GET on the same Netty and prints the status.
 */
public final class ReactorNettyClient implements SampleApp.Sender {

    private final Sinks.Many<WebSocketFrame> frames;
    private final WebsocketOutbound outbound;

    private ReactorNettyClient(Sinks.Many<WebSocketFrame> frames, WebsocketOutbound outbound) {
        this.frames = frames;
        this.outbound = outbound;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    public static SampleApp.Sender connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) throws Exception {
        if (o.get("http_probe", null) != null) {
            // A plain HTTP request on the same Netty first (the untouched-traffic test).
            Integer status = HttpClient.create().get().uri(o.get("http_probe"))
                    .responseSingle((response, body) -> Mono.just(response.status().code()))
                    .block(java.time.Duration.ofSeconds(10));
            SampleApp.out("HTTP status=" + status);
        }
        Sinks.Many<WebSocketFrame> frames = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<WebsocketOutbound> connected = new CompletableFuture<>();
        int[] closeCode = {1006};
        HttpClient.create()
                .headers(h -> {
                    h.add("Authorization", "Token secret-test-key");
                    if (o.get("session_id", null) != null) {
                        h.add("x-deepgram-session-id", o.get("session_id"));
                    }
                })
                .websocket(WebsocketClientSpec.builder().maxFramePayloadLength(1 << 20).build())
                .uri(o.get("url"))
                .handle((in, out) -> {
                    SampleApp.out("OPEN request_id=unknown"); // reactor-netty's handler does not see the response headers
                    connected.complete(out);
                    in.receiveCloseStatus().subscribe(status -> {
                        closeCode[0] = status.code();
                        SampleApp.out("CLOSING " + status.code() + " " + status.reasonText());
                    });
                    Mono<Void> received = in.receiveFrames()
                            .doOnNext(f -> {
                                if (f instanceof TextWebSocketFrame) {
                                    messages.received(((TextWebSocketFrame) f).text());
                                }
                            })
                            .then();
                    // As WebFlux apps write it, session.send(audio).then(session.close()): the close Mono is
                    // built at once, long before it runs, while the inbound side is read.
                    Mono<Void> sent = out.sendObject(frames.asFlux()).then()
                            .then(out.sendClose(1000, "Client disconnecting"));
                    return Mono.when(received, sent);
                })
                .subscribe(ignored -> {
                }, error -> {
                    int status = error instanceof WebSocketClientHandshakeException
                            ? ((WebSocketClientHandshakeException) error).response().status().code() : 0;
                    SampleApp.out("FAILURE " + error.getClass().getName() + " " + status);
                    connected.completeExceptionally(error);
                    ended.countDown();
                }, () -> {
                    SampleApp.out("CLOSED " + closeCode[0]);
                    ended.countDown();
                });
        try {
            return new ReactorNettyClient(frames, connected.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        return frames.tryEmitNext(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(audio))).isSuccess();
    }

    @Override
    public boolean sendText(String text) {
        return frames.tryEmitNext(new TextWebSocketFrame(text)).isSuccess();
    }

    /** Completes the send: reactor-netty writes the remaining frames, then the close frame. */
    @Override
    public boolean close() {
        return frames.tryEmitComplete().isSuccess();
    }

    @Override
    public void shutdown() {
        dev.deepgramagent.demo.NettyLeakCheck.beforeExit();
    }

    /**
     * Drops the connection without a close frame. (Disposing reactor-netty's connection is no cancel:
     * it sends a close frame first.)
     */
    @Override
    public void cancel() {
        outbound.withConnection(c -> c.channel().close());
    }
}
