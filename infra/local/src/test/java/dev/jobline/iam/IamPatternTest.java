package dev.jobline.iam;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Actions and resources match as IAM matches them. */
class IamPatternTest {
    private static final String TABLE = "arn:aws:dynamodb:us-east-1:000000000000:table/JobsTable";

    @Test
    void actionsIgnoreCaseAndTakeWildcards() {
        assertTrue(IamPattern.matchesAction("dynamodb:BatchGetItem", "dynamodb:batchgetitem"));
        assertTrue(IamPattern.matchesAction("dynamodb:Get*", "dynamodb:GetItem"));
        assertTrue(IamPattern.matchesAction("dynamodb:?etItem", "dynamodb:GetItem"));
        assertFalse(IamPattern.matchesAction("dynamodb:Get*", "dynamodb:BatchGetItem"));
        assertFalse(IamPattern.matchesAction("dynamodb:GetItem", "dynamodb:GetItems"));
        assertFalse(IamPattern.matchesAction("sqs:*", "dynamodb:GetItem"));
    }

    @Test
    void aTableArnIsNotItsIndexesAndTheCaseCounts() {
        assertTrue(IamPattern.matchesResource(TABLE, TABLE));
        assertFalse(IamPattern.matchesResource(TABLE, TABLE + "/index/inFlight"));
        assertFalse(IamPattern.matchesResource(TABLE, TABLE.toLowerCase()));
        assertFalse(IamPattern.matchesResource(TABLE + "/index/inFlight", TABLE));
    }

    @Test
    void aStarMatchesSlashesButStaysInItsSegmentUnlessItEndsIt() {
        assertTrue(IamPattern.matchesResource(TABLE + "/index/*", TABLE + "/index/byTenant"));
        assertFalse(IamPattern.matchesResource(TABLE + "/index/*", TABLE));
        assertTrue(IamPattern.matchesResource("arn:aws:dynamodb:*:000000000000:table/*", TABLE + "/index/failed"));
        assertTrue(IamPattern.matchesResource("arn:aws:dynamodb:us-*-1:000000000000:table/JobsTable", TABLE));
        assertFalse(IamPattern.matchesResource("arn:aws:dynamodb:us-*1:000000000000:table/JobsTable",
                "arn:aws:dynamodb:us-east:1:000000000000:table/JobsTable"));
        assertTrue(IamPattern.matchesResource("arn:aws:sqs:us-east-1:000000000000:Jobs?ueue", "arn:aws:sqs:us-east-1:000000000000:JobsQueue"));
        assertTrue(IamPattern.matchesResource("*", TABLE));
    }
}
