package dev.deepgramagent.bridge;

import java.io.IOException;

/**
 * How an adapter reports that the client itself dropped the connection after its close frame went
 * out, without waiting for the server's (reactor-netty does so as soon as the frame is written).
 * The close was the app's choice: the session ends as that close, not as a network failure.
 */
public final class ClosedAfterCloseFrame extends IOException {

    private static final long serialVersionUID = 1L;

    public ClosedAfterCloseFrame() {
        super("the client closed the connection after its close frame", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // a report, not a failure: no stack to record
    }
}
