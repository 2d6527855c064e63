package dev.deepgramagent.core.session;

/**
 * What a library adapter offers the engine: the only ways the agent ever writes to a socket.
 * Implementations call the library's public API on the socket object, typically by reflection,
 * because the agent's class loader cannot see library classes.
 */
public interface SocketControl {

    /** Sends a text frame; false if the library refused (socket closing or closed). */
    boolean sendText(Object socket, String text) throws Exception;

    /** Starts the library's normal close handshake with this code and reason. */
    boolean close(Object socket, int code, String reason) throws Exception;

    /**
     * The first bytes of an audio payload as the adapter passed it to {@code binarySent} (up to
     * {@code max}), for the audio preflight; called for a session's first frame only. Null when the
     * library's payload type is not readable.
     */
    default byte[] audioHead(Object payload, int max) throws Exception {
        return payload instanceof byte[] ? (byte[]) payload : null;
    }
}
