package dev.jobline.job;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Text cut to a size in UTF-8 bytes, on a character boundary, with an ellipsis saying it was cut. What a handler
 * writes into a job (an error or progress message) is bounded this way, so the job always fits its DynamoDB item.
 */
public final class BoundedText {
    private static final String CUT = "...";

    private BoundedText() {
    }

    public static int utf8Bytes(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** {@code text} itself when it fits in {@code maxBytes} bytes of UTF-8; else its longest head that does, then "...". */
    public static String of(String text, int maxBytes) {
        if (text == null || utf8Bytes(text) <= maxBytes) {
            return text;
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder();
        ByteBuffer room = ByteBuffer.allocate(Math.max(0, maxBytes - CUT.length()));
        CharBuffer source = CharBuffer.wrap(text);
        // stops before the first character that would not fit whole (a surrogate pair is never split)
        encoder.encode(source, room, true);
        return text.substring(0, source.position()) + CUT;
    }
}
