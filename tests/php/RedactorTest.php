<?php
// Log masking (Whmcs\Redactor): reply members masked by a case-insensitive name pattern at any
// depth, with the shape kept; profile and policy replies summarised; no Comet data lost silently.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Api\Redactor;

final class RedactorTest extends TestCase
{
    /** @return array{0: array<mixed>, 1: list<string>} the logged reply, decoded, and the found values */
    private static function logged(string $endpoint, array $reply): array
    {
        [$text, $found] = Redactor::reply($endpoint, (string) json_encode($reply), 'application/json');
        $decoded = json_decode($text, true);
        self::assertIsArray($decoded, $text);
        return [$decoded, $found];
    }

    /** @return iterable<string, array{string}> */
    public static function secretNames(): iterable
    {
        foreach (['password', 'OldPassword', 'PASSWORD', 'S3SecretKey', 'client_secret', 'apikey', 'AccessKeyID', 'apiToken',
            'RefreshTOKEN', 'PasswordHash', 'ProfileHash', 'AuthType', 'oauth_code', 'SessionKey', 'TOTPKey'] as $name) {
            yield $name => [$name];
        }
    }

    /** @dataProvider secretNames */
    public function testAMemberWhoseNameContainsASecretWordIsMaskedInAnyCase(string $name): void
    {
        $value = 'v-' . bin2hex(random_bytes(6));
        [$log] = self::logged('get-jobs-for-custom-search', ['Status' => 200, 'Data' => [['Deep' => [$name => $value, 'Plain' => 'kept']]]]);
        self::assertSame('********', $log['Data'][0]['Deep'][$name]);
        self::assertSame('kept', $log['Data'][0]['Deep']['Plain']);
    }

    public function testOrdinaryNamesAreLeftAlone(): void
    {
        $reply = ['Status' => 200, 'Message' => 'OK', 'Username' => 'alice', 'Email' => 'alice@example.com', 'Quota' => 5, 'Name' => 'Laptop'];
        [$log, $found] = self::logged('meta/version', $reply);
        self::assertSame($reply, $log);
        self::assertSame([], $found);
    }

    public function testAMaskedMemberKeepsItsShapeAndItsFlags(): void
    {
        // A real secret container, and a false positive: a device whose random ID contains "key".
        [$log] = self::logged('get-user-profile-and-hash-ish', [
            'EncryptionKeys' => ['first-secret-key', 'second-secret-key'],
            'Devices' => ['dev7keyA9' => ['FriendlyName' => 'Laptop', 'Enabled' => true, 'Removed' => null, 'Count' => 4]],
            'RequirePasswordChange' => false,
            'PasswordFormat' => 3,
        ]);
        self::assertSame(['********', '********'], $log['EncryptionKeys']);
        self::assertSame(['FriendlyName' => '********', 'Enabled' => true, 'Removed' => null, 'Count' => '********'], $log['Devices']['dev7keyA9']);
        self::assertFalse($log['RequirePasswordChange'], 'true/false cannot carry a secret');
        self::assertSame('********', $log['PasswordFormat'], 'a number under a secret name is masked');
    }

    public function testOnlyCertainSecretsAreMaskedEverywhereElseToo(): void
    {
        [, $found] = self::logged('session-start', ['Status' => 200, 'SessionKey' => 'sess-key-value-1', 'AuthType' => 'Password', 'ProfileHash' => 'h1']);
        self::assertSame(['sess-key-value-1'], $found, 'an AuthType of "Password" must not scrub the word from the whole log');
    }

    public function testPolicyRepliesAreSummarisedAsProfilesAre(): void
    {
        $inner = 'policy-inner-' . bin2hex(random_bytes(6));
        $reply = ['Status' => 200, 'Message' => 'OK', 'PolicyHash' => 'ph-1',
            'Policy' => ['Description' => 'WHMCS: Backup 100 GB', 'Policy' => ['DefaultEmailReports' => ['Recipients' => [$inner]]]]];
        [$text, $found] = Redactor::reply('policies/get', (string) json_encode($reply), 'application/json');
        self::assertMatchesRegularExpression('/^\[policy group "WHMCS: Backup 100 GB", \d+ bytes, not logged\]$/', $text);
        self::assertStringNotContainsString($inner, $text);
        self::assertSame([], $found);
        // An error envelope is logged as it is.
        $error = (string) json_encode(['Status' => 400, 'Message' => 'Policy does not exist']);
        self::assertSame($error, Redactor::reply('policies/get', $error)[0]);
        // And the profile summary is unchanged.
        [$profile] = Redactor::reply('get-user-profile', (string) json_encode(['Username' => 'alice', 'PasswordHash' => 'x']));
        self::assertMatchesRegularExpression('/^\[user profile of alice, \d+ bytes, not logged\]$/', $profile);
        // The policy a plan sends (policies/set) is summarised in the request as well.
        $logged = Redactor::request(['PolicyID' => 'WHMCS_1', 'Policy' => (string) json_encode($reply['Policy'])], []);
        self::assertSame('WHMCS_1', $logged['PolicyID']);
        self::assertMatchesRegularExpression('/^\[Policy: \d+ bytes of JSON, not logged\]$/', $logged['Policy']);
    }

    public function testATreeTooDeepToWalkIsNotLogged(): void
    {
        $tree = ['SessionKey' => 'deep-secret-value'];
        for ($i = 0; $i < 20; $i++) {
            $tree = ['Level' => $tree];
        }
        [$text] = Redactor::reply('anything', (string) json_encode($tree));
        self::assertStringNotContainsString('deep-secret-value', $text);
        self::assertStringContainsString('nested too deep', $text);
    }
}
