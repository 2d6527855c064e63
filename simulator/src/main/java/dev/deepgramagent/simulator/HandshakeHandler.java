package dev.deepgramagent.simulator;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The HTTP side: authentication, query validation, rejections, then the WebSocket upgrade to a
 * {@link ListenSession} ({@code /v1/listen}), a {@link FluxSession} ({@code /v2/listen}) or an
 * {@link EchoSession} ({@code /echo}).
 */
final class HandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final DeepgramSimulator server;
    private final SimulatorOptions options;

    HandshakeHandler(DeepgramSimulator server, SimulatorOptions options) {
        this.server = server;
        this.options = options;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String requestId = UUID.randomUUID().toString();
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        boolean upgrade = "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
        boolean flux = path.equals("/v2/listen");
        if (!path.equals("/v1/listen") && !flux && !path.equals("/echo")) {
            reject(ctx, req, requestId, HttpResponseStatus.NOT_FOUND, "Not found");
            return;
        }
        if (!upgrade) {
            reject(ctx, req, requestId, HttpResponseStatus.BAD_REQUEST, "Expected a WebSocket upgrade");
            return;
        }
        Map<String, String> query = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : uri.parameters().entrySet()) {
            query.put(e.getKey(), e.getValue().get(0));
        }
        if (path.equals("/echo")) {
            upgrade(ctx, req, requestId, new EchoSession(server.register(new SessionRecord(requestId, path, query, "none", Fault.NONE))));
            return;
        }

        String authScheme;
        String key;
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String protocols = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (authorization != null && authorization.regionMatches(true, 0, "Token ", 0, 6)) {
            authScheme = "token";
            key = authorization.substring(6).trim();
        } else if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            authScheme = "bearer";
            key = authorization.substring(7).trim();
        } else if (protocols != null && protocols.trim().toLowerCase().startsWith("token,")) {
            authScheme = "subprotocol";
            key = protocols.trim().substring("token,".length()).trim();
        } else {
            authScheme = null;
            key = null;
        }

        Fault fault = options.fault;
        try {
            if (query.containsKey("sim_fault")) {
                fault = Fault.parse(query.get("sim_fault"));
            } else if (key != null && key.startsWith("sim_fault:")) {
                fault = Fault.parse(key.substring("sim_fault:".length()));
            }
        } catch (IllegalArgumentException e) {
            reject(ctx, req, requestId, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        if (fault.rejectStatus() > 0) {
            int status = fault.rejectStatus();
            reject(ctx, req, requestId, HttpResponseStatus.valueOf(status), rejectionMessage(status));
            return;
        }
        if (key == null || key.isEmpty() || (options.apiKey != null && !options.apiKey.equals(key) && !key.startsWith("sim_fault:"))) {
            reject(ctx, req, requestId, HttpResponseStatus.UNAUTHORIZED, rejectionMessage(401));
            return;
        }
        SessionSettings settings;
        try {
            settings = new SessionSettings(query, options, fault, flux);
        } catch (IllegalArgumentException e) {
            reject(ctx, req, requestId, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        SessionRecord record = server.register(new SessionRecord(requestId, path, query, authScheme, fault));
        long closeMillis = options.closeHandshakeTimeout.toMillis();
        upgrade(ctx, req, requestId, flux
                ? new FluxSession(settings, record, options.logSessions, closeMillis)
                : new ListenSession(settings, record, options.logSessions, closeMillis));
    }

    /** Browsers' "Sec-WebSocket-Protocol: token, KEY" is answered with the subprotocol "token", as Deepgram does. */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String requestId, io.netty.channel.ChannelHandler session) {
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(options.maxFrameBytes)
                .closeOnProtocolViolation(true)
                .build();
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST) + new QueryStringDecoder(req.uri()).path();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, "token", decoder).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        HttpHeaders headers = new DefaultHttpHeaders().set("dg-request-id", requestId);
        handshaker.handshake(ctx.channel(), req, headers, ctx.newPromise());
        ctx.pipeline().addAfter(ctx.name(), "frame-aggregator", new WebSocketFrameAggregator(options.maxFrameBytes));
        ctx.pipeline().addAfter("frame-aggregator", "session", session);
        ctx.pipeline().remove(this);
    }

    static String rejectionMessage(int status) {
        switch (status) {
            case 400: return "Bad Request: failed to process the request parameters";
            case 401: return "Invalid credentials.";
            case 402: return "Project does not have enough credits for this request.";
            case 403: return "Insufficient permissions: the project cannot access this model.";
            case 429: return "Too many requests: the project exceeded its concurrent stream limit.";
            case 500: return "Internal server error.";
            case 503: return "Service unavailable.";
            default: return "Request rejected.";
        }
    }

    private static void reject(ChannelHandlerContext ctx, FullHttpRequest req, String requestId,
                               HttpResponseStatus status, String message) {
        String body = "{\"err_code\":\"" + status.code() + "\",\"err_msg\":\"" + message.replace("\"", "'")
                + "\",\"request_id\":\"" + requestId + "\"}";
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        res.headers().set("dg-request-id", requestId);
        res.headers().set("dg-error", message);
        HttpUtil.setContentLength(res, res.content().readableBytes());
        res.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
}
