import { MessageBatcher } from '@/ingestion/flow-reader.protocol';

describe('MessageBatcher', () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('sends the messages of one turn together, in order, and nothing when there is nothing', async () => {
    const sent: number[][] = [];
    const batcher = new MessageBatcher<number>((batch) => sent.push(batch));
    batcher.send(1);
    batcher.send(2);
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual([[1, 2]]);
    await nextTurn();
    batcher.send(3);
    await nextTurn();
    expect(sent).toEqual([[1, 2], [3]]);
  });

  it('never holds more than 16 messages: a full batch leaves at once, the rest with the turn', async () => {
    const sent: number[][] = [];
    const batcher = new MessageBatcher<number>((batch) => sent.push(batch));
    for (let i = 0; i < 20; i++) batcher.send(i);
    expect(sent.map((b) => b.length)).toEqual([16]);
    await nextTurn();
    expect(sent.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
