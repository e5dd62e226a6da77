import { type AddressInfo } from 'node:net';
import { Packet, UDPServer } from 'dns2';

/** A DNS server on 127.0.0.1 (UDP) answering TXT questions from a map the test fills. */
export interface DnsStub {
  /** `ip:port`, for IDENTITY_DNS_SERVER. */
  address: string;
  /** Publishes (or with undefined removes) the TXT strings of a name. */
  setTxt(name: string, values: string[] | undefined): void;
  /** The names asked, in order (to tell that the hub asked this server). */
  asked: string[];
  stop(): Promise<void>;
}

/** Starts the stub: unknown names answer NXDOMAIN, like a real zone. */
export async function startDnsStub(): Promise<DnsStub> {
  const records = new Map<string, string[]>();
  const asked: string[] = [];
  const server = new UDPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const name = (question?.name ?? '').toLowerCase().replace(/\.$/, '');
    asked.push(name);
    const values = records.get(name);
    if (question && question.type === Packet.TYPE.TXT && values) {
      for (const value of values)
        response.answers.push(Packet.createResourceFromQuestion(question, { type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 1, data: value }));
    } else if (!values) {
      response.header.rcode = 3; // NXDOMAIN
    }
    void send(response);
  });
  await server.listen(0, '127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    asked,
    setTxt(name, values) {
      if (values) records.set(name.toLowerCase(), values);
      else records.delete(name.toLowerCase());
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
