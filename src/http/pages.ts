/** The privacy and terms pages the Teams app package links to (`${{PUBLIC_URL}}/privacy`, `/terms`). */
import type { Request, Response } from 'restify';

const PRIVACY = `<h1>klink for Microsoft Teams: privacy</h1>
<p>This service receives webhook events from your klink.cloud workspace and posts them as cards in the
Microsoft Teams channels and chats that subscribed. It stores: the Teams conversations it is installed in
(ids, tenant, service URL), their subscriptions and who created them, klink contacts' names and tags (no
e-mail addresses, phone numbers or postal addresses), and klink message events (without the sender's
platform id). The text of a message is removed once it has been delivered and the retention period
(7 days unless the operator set another) has passed; ids and delivery records remain. Commands typed to
the bot are not kept. Logs contain ids, never message text, phone numbers or secrets. The operator who
hosts this service is the data controller; contact them to have data removed.</p>`;

const TERMS = `<h1>klink for Microsoft Teams: terms of use</h1>
<p>This app is provided by the operator that hosts it for use with klink.cloud and Microsoft Teams, as is.
Use it only for klink workspaces and Teams tenants you are authorised to connect. Messages are delivered
at least once, paced within Microsoft Teams' limits.</p>`;

function page(body: string) {
  return async (_req: Request, res: Response): Promise<void> => {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>klink for Microsoft Teams</title></head><body>${body}</body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
    res.end(html);
  };
}

export const privacyPage = page(PRIVACY);
export const termsPage = page(TERMS);
