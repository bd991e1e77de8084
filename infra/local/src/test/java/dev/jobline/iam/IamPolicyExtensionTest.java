package dev.jobline.iam;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A test during which a function was denied fails, naming the call, even if nothing else noticed. */
class IamPolicyExtensionTest {
    private static final IamRequest DENIED = new IamRequest("dynamodb:BatchGetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/T");

    @Test
    void aDeniedCallFailsTheTestAfterwardsWithFunctionActionAndResource() {
        IamLog.violation(new IamLog.Violation("SweeperFunction", DENIED, "no statement of its role allows it"));

        AssertionError failure = assertThrows(AssertionError.class, () -> new IamPolicyExtension().afterEach(null));

        assertEquals("calls the functions' policies in template.yaml do not allow (AccessDenied in AWS):\n"
                + "  SweeperFunction is not allowed dynamodb:BatchGetItem on arn:aws:dynamodb:us-east-1:000000000000:table/T:"
                + " no statement of its role allows it", failure.getMessage());
    }

    @Test
    void aTestWithoutDeniedCallsPasses() {
        assertDoesNotThrow(() -> new IamPolicyExtension().afterEach(null));
    }
}
